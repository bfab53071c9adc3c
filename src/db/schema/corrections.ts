import { index, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { articles } from './articles.ts';
import { recordTimes, timestamp } from './columns.ts';

// Corrections, clarifications, updates and retractions appended to published articles.

export const correctionKinds = ['correction', 'clarification', 'update', 'retraction'] as const;
export type CorrectionKind = (typeof correctionKinds)[number];

/** Earlier wordings kept per correction; past it the oldest go. */
export const maxWordingsKept = 20;

/** A wording readers saw before an edit. */
export interface CorrectionWording {
  kind: CorrectionKind;
  text: string;
  /** Until when it stood. */
  replacedAt: string;
}

export const articleCorrections = sqliteTable(
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
    history: text('history', { mode: 'json' }).$type<CorrectionWording[]>().notNull(),
    ...recordTimes(),
  },
  (table) => [
    index('article_corrections_article_idx').on(table.articleId, table.publishedAt, table.id),
    index('article_corrections_published_idx').on(table.publishedAt, table.id),
  ],
);
