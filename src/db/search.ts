import type { AnyColumn, SQL } from 'drizzle-orm';
import type { WithSubqueryWithSelection } from 'drizzle-orm/sqlite-core';
import type { SearchTerms } from '../lib/search-query.ts';
import type { Db } from './store.ts';

// The full-text search port. Modules decide what is indexed and when an article becomes public;
// each backend decides how: FTS5 tables with bm25 on SQLite (sqlite-search.ts), a weighted
// tsvector with a GIN index on PostgreSQL (postgres-search.ts). Both take the same parsed query,
// so the query language and its cost limits (lib/search-query.ts) are the same everywhere.

/** What the index holds of an article; `bodyText` undefined when the body did not change. */
export interface IndexEntry {
  language: string;
  headline: string;
  dek: string;
  bodyText: string | undefined;
}

export interface FullTextIndex {
  /** The backend's own expression for `terms`, the `match` parameter of the queries below. */
  compile(terms: SearchTerms): string;
  /**
   * Writes an article's row, public (readers can see the article) or not. `wasPublic` is where
   * the row is now, undefined for a new article.
   */
  write(
    tx: Db,
    rowId: number,
    entry: IndexEntry,
    visible: boolean,
    wasPublic: boolean | undefined,
  ): Promise<void>;
  remove(tx: Db, rowId: number): Promise<void>;
  /** Makes rows public (articles that fell due); they are not public yet. */
  publish(tx: Db, rowIds: number[]): Promise<void>;
  /** "`rowIdColumn` matches `match`" over every row, public or not (the editors' search). */
  matchesAny(db: Db, rowIdColumn: AnyColumn, match: string): SQL;
  /**
   * The public rows matching the `match` placeholder as the CTE `ranked`: `rowid` and `score`
   * (lower is better), the `window` placeholder best. SQLite ranks only the newest
   * `candidatesOffset + 1` matches (bm25 over every match of a common word grows with the
   * archive); PostgreSQL ranks them all, cheaply (see postgres-search.ts). `unlimited` is the
   * `window` that means all of them.
   */
  rankedPublic(db: Db): RankedMatches;
  readonly unlimited: number | null;
}

export type RankedMatches = WithSubqueryWithSelection<
  { rowid: SQL.Aliased<number>; score: SQL.Aliased<number> },
  'ranked'
>;
