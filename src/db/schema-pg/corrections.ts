import { index, json, pgTable, text } from 'drizzle-orm/pg-core';
import { articles } from './articles.ts';
import { recordTimes, timestamp } from './columns.ts';
import { correctionKinds, type CorrectionWording } from '../schema/corrections.ts';

// Corrections, clarifications, updates and retractions appended to published articles.

export const articleCorrections = pgTable(
  'article_corrections',
  {
    id: text('id').primaryKey(),
    articleId: text('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: correctionKinds }).notNull(),
    text: text('text').notNull(),
    // Set by the server when the correction is made; never moved by an edit.
    publishedAt: timestamp('published_at').notNull(),
    // Earlier wordings, oldest first: an edit keeps what readers were told.
    history: json('history').$type<CorrectionWording[]>().notNull(),
    ...recordTimes(),
  },
  (table) => [
    index('article_corrections_article_idx').on(table.articleId, table.publishedAt, table.id),
    index('article_corrections_published_idx').on(table.publishedAt, table.id),
  ],
);
