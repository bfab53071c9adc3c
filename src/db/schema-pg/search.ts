import { sql } from 'drizzle-orm';
import {
  boolean,
  customType,
  index,
  integer,
  pgSequence,
  pgTable,
  text,
} from 'drizzle-orm/pg-core';

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

/** New articles' `search_row_id` (see Dialect.nextSearchRowId in src/db/store.ts). */
export const articleSearchRowIds = pgSequence('article_search_row_id_seq');

/**
 * The full-text index of articles on PostgreSQL: one row per article, keyed like the FTS5 index
 * by `articles.search_row_id`, with `public` true while a reader can see the article. ts_rank
 * uses no corpus statistics, so unlike FTS5's bm25 one table cannot leak words of drafts into
 * public ranking. The document is weighted headline (A) > dek (B) > body (D) and analysed in the
 * article's language, with accents folded (migrations/postgres/0000_search_configurations.sql).
 */
export const articleSearch = pgTable(
  'article_search',
  {
    rowId: integer('row_id').primaryKey(),
    public: boolean('public').notNull(),
    language: text('language').notNull(),
    headline: text('headline').notNull(),
    dek: text('dek').notNull(),
    bodyText: text('body_text').notNull(),
    /** The body's part of `document` (weight D), kept so an edit that leaves the body alone
     * does not analyse it again. Written by postgres-search.ts, not generated: PostgreSQL
     * recomputes every generated column on every UPDATE, and the body is most of the work. */
    bodyVector: tsvector('body_vector').notNull(),
    /** headline (A) || dek (B) || body_vector, written with them. */
    document: tsvector('document').notNull(),
    // The headline and dek alone: small enough to stay in the row, so ranking reads no TOAST
    // (ranking by the whole document read ~14 µs of TOAST per candidate: 1 s at 10 connections).
    head: tsvector('head')
      .notNull()
      .generatedAlwaysAs(
        sql`setweight(to_tsvector(broadsheet_search_config(language), headline), 'A') || setweight(to_tsvector(broadsheet_search_config(language), dek), 'B')`,
      ),
  },
  (table) => [index('article_search_document_idx').using('gin', table.document)],
);
