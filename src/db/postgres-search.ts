import { type AnyColumn, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { articleSearch } from './schema-pg.ts';
import type { SearchTerm, SearchTerms } from '../lib/search-query.ts';
import type { FullTextIndex } from './search.ts';
import type { Db } from './store.ts';

// Full-text search on PostgreSQL: one table (schema-pg/search.ts) with a weighted tsvector per
// article, analysed in the article's language (English and Russian stemming, anything else
// unstemmed) with accents folded, under a GIN index. ts_rank's default weights {0.1, 0.2, 0.4,
// 1.0} for D, C, B, A give headline : dek : body = 10 : 4 : 1, the same as bm25's column weights
// on SQLite. The query text is a tsquery built from the parsed terms, never the reader's text.

const ph = sql.placeholder;
const configurations = ['broadsheet_english', 'broadsheet_russian', 'broadsheet_simple'] as const;

/** The store hands repositories its Drizzle handle typed as `Db`; here it is what it is. */
const asPg = (db: Db) => db as unknown as PgDatabase<PgQueryResultHKT>;

/** A lexeme or phrase in tsquery syntax: quoted, so operators in the text are only text. */
function lexeme(term: SearchTerm): string {
  const quoted = `'${term.text.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
  return term.prefix ? `${quoted}:*` : quoted;
}

export function compileTsquery(terms: SearchTerms): string {
  return [...terms.include.map(lexeme), ...terms.exclude.map((term) => `!(${lexeme(term)})`)].join(
    ' & ',
  );
}

/** The query in each row's own language; with the query text a constant, each branch is folded
 * to a constant at planning (to_tsquery is immutable), so a row costs one comparison. */
function inRowLanguage(match: SQL | string | ReturnType<typeof sql.placeholder>): SQL {
  return sql`(case broadsheet_search_config(language) when 'broadsheet_english'::regconfig then to_tsquery('broadsheet_english'::regconfig, ${match}) when 'broadsheet_russian'::regconfig then to_tsquery('broadsheet_russian'::regconfig, ${match}) else to_tsquery('broadsheet_simple'::regconfig, ${match}) end)`;
}

/**
 * `document` matches `match` in the row's own language. The disjunction over every configuration
 * is what the GIN index can answer; the last condition rechecks each candidate in its language
 * (an exclusion must hold in the language the article was indexed in).
 */
function matching(match: SQL | string | ReturnType<typeof sql.placeholder>): SQL {
  const anyConfiguration = sql.join(
    configurations.map(
      (name) => sql`document @@ to_tsquery(${sql.raw(`'${name}'`)}::regconfig, ${match})`,
    ),
    sql` or `,
  );
  return sql`(${anyConfiguration}) and document @@ ${inRowLanguage(match)}`;
}

export const postgresFullTextIndex: FullTextIndex = {
  compile: compileTsquery,
  // LIMIT NULL is no limit.
  unlimited: null,

  async write(tx, rowId, entry, visible, wasPublic) {
    const db = asPg(tx);
    if (wasPublic === undefined) {
      await db.insert(articleSearch).values({
        rowId,
        public: visible,
        language: entry.language,
        headline: entry.headline,
        dek: entry.dek,
        bodyText: entry.bodyText ?? '',
      });
      return;
    }
    await db
      .update(articleSearch)
      .set({
        public: visible,
        language: entry.language,
        headline: entry.headline,
        dek: entry.dek,
        ...(entry.bodyText === undefined ? {} : { bodyText: entry.bodyText }),
      })
      .where(eq(articleSearch.rowId, rowId));
  },

  async remove(tx, rowId) {
    await asPg(tx).delete(articleSearch).where(eq(articleSearch.rowId, rowId));
  },

  async publish(tx, rowIds) {
    if (rowIds.length === 0) return;
    await asPg(tx)
      .update(articleSearch)
      .set({ public: true })
      .where(inArray(articleSearch.rowId, rowIds));
  },

  matchesAny(_db: Db, rowIdColumn: AnyColumn, match: string) {
    return sql`${rowIdColumn} in (select row_id from article_search where ${matching(match)})`;
  },

  rankedPublic(db) {
    const match = ph('match');
    const newestBound = sql`coalesce((select row_id from article_search where public and ${matching(match)} order by row_id desc limit 1 offset ${ph('candidatesOffset')}), 0)`;
    return db.$with('ranked').as(
      db
        .select({
          rowid: sql<number>`row_id`.as('rowid'),
          // ts_rank is higher for better matches; the port's score is lower for better.
          score: sql<number>`-ts_rank(document, ${inRowLanguage(match)})`.as('score'),
        })
        .from(sql`article_search`)
        .where(sql`public and ${matching(match)} and row_id >= ${newestBound}`)
        .orderBy(sql`score`)
        .limit(ph('window')),
    );
  },
};
