import {
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core';
import { articles } from './articles.ts';
import { authors } from './authors.ts';
import { idAndSlug, recordTimes } from './columns.ts';
import { photos } from './photos.ts';

// Curated fronts and sections: an ordered list of pinned articles, then a backfill rule that
// fills the slots left, newest first.

/** The bounds a collection is held to, shared by the HTTP contract and the repository. */
export const collectionLimits = {
  name: 120,
  /** Slots a collection may show; also the most it may pin. */
  maxSize: 100,
  defaultSize: 20,
  /** Tags a backfill rule may name (any of them). */
  maxBackfillTags: 5,
  headline: 300,
  dek: 500,
} as const;

export const collections = sqliteTable(
  'collections',
  {
    ...idAndSlug(),
    name: text('name').notNull(),
    language: text('language').notNull(),
    size: integer('size').notNull(),
    // Without a rule only the pinned articles show. With one, the slots left are filled by the
    // newest visible articles carrying any of the tags (ids; one deleted later matches nothing),
    // by the author and in the language, whichever are set.
    backfill: integer('backfill', { mode: 'boolean' }).notNull().default(false),
    backfillTagIds: text('backfill_tag_ids', { mode: 'json' }).$type<string[]>().notNull(),
    backfillAuthorId: text('backfill_author_id').references(() => authors.id, {
      onDelete: 'restrict',
    }),
    backfillLanguage: text('backfill_language'),
    // Bumped by every change: the ETag editors send back in If-Match.
    version: integer('version').notNull().default(1),
    ...recordTimes(),
  },
  (table) => [uniqueIndex('collections_slug_unique').on(table.slug)],
);

/** A pinned slot: the article, and what the front shows instead of its own headline, dek or photo. */
export const collectionItems = sqliteTable(
  'collection_items',
  {
    collectionId: text('collection_id')
      .notNull()
      .references(() => collections.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    articleId: text('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    headline: text('headline'),
    dek: text('dek'),
    photoId: text('photo_id').references(() => photos.id, { onDelete: 'restrict' }),
  },
  (table) => [
    primaryKey({ columns: [table.collectionId, table.position] }),
    index('collection_items_article_idx').on(table.articleId),
    index('collection_items_photo_idx').on(table.photoId),
  ],
);
