import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * The FTS5 index of articles on SQLite, declared so queries can be built with Drizzle (only
 * sqlite-search.ts uses it). It is a virtual table created by a hand-written migration
 * (migrations/sqlite/0002_articles_search.sql), so this file is deliberately outside
 * drizzle.config.ts's schema: drizzle-kit must not try to CREATE it.
 */
export const articlesSearch = sqliteTable('articles_search', {
  rowid: integer('rowid').notNull(),
  headline: text('headline').notNull(),
  dek: text('dek').notNull(),
  bodyText: text('body_text').notNull(),
});

/** bm25 weights per column: a headline match outranks a dek match outranks a body match. */
export const searchWeights = { headline: 10, dek: 4, bodyText: 1 } as const;

/**
 * The public full-text index: the same columns, holding visible articles only, so ranking
 * statistics never depend on drafts or scheduled articles (migrations/sqlite/0007_public_search_index.sql).
 * `articles_search` holds the others; each article is in exactly one of the two (migration 0011).
 */
export const articlesPublicSearch = sqliteTable('articles_public_search', {
  rowid: integer('rowid').notNull(),
  headline: text('headline').notNull(),
  dek: text('dek').notNull(),
  bodyText: text('body_text').notNull(),
});
