import { type AnyColumn, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { articleSearch } from './schema-pg.ts';
import type { SearchTerm, SearchTerms } from '../lib/search-query.ts';
import type { FullTextIndex } from './search.ts';
import type { Db } from './store.ts';

// Full-text search on PostgreSQL: one table (schema-pg/search.ts) with a weighted tsvector per
// article, analysed in the article's language (English and Russian stemming, anything else
// unstemmed) with accents folded, under a GIN index. Ranking reads only the small headline + dek
// vector (`head`): ts_rank's default weights make a headline match count 1.0 and a dek match 0.4,
// and a match in the body alone 0.01 (SQLite's bm25 weighs the three 10 : 4 : 1). The query text
// is a tsquery built from the parsed terms, never the reader's text.

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

type QueryText = SQL | string | ReturnType<typeof sql.placeholder>;

const inConfiguration = (name: (typeof configurations)[number], match: QueryText) =>
  sql`to_tsquery(${sql.raw(`'${name}'`)}::regconfig, ${match})`;

/** The query in each row's own language; with the query text a constant, each branch is folded
 * to a constant at planning (to_tsquery is immutable), so a row costs one comparison. */
function inRowLanguage(match: QueryText): SQL {
  const [english, russian, simple] = configurations;
  return sql`(case broadsheet_search_config(language) when 'broadsheet_english'::regconfig then ${inConfiguration(english, match)} when 'broadsheet_russian'::regconfig then ${inConfiguration(russian, match)} else ${inConfiguration(simple, match)} end)`;
}

/**
 * `document` matches `match` in the row's own language. The disjunction over every configuration
 * is what the GIN index answers, and for words and phrases it is the answer. An exclusion must
 * hold in the language the article was indexed in ("-metros" is `metro` in English, `metros`
 * unstemmed), so a query with one, where the configurations read it differently, checks each
 * candidate again in its own language. Both tests fold to constants at planning (the query
 * text is a constant under plan_cache_mode=force_custom_plan), so a query without exclusions
 * never reads a candidate's document: that read, from TOAST, cost ~14 µs a row.
 */
function matching(match: QueryText): SQL {
  const [english, russian, simple] = configurations;
  const anyConfiguration = sql.join(
    configurations.map((name) => sql`document @@ ${inConfiguration(name, match)}`),
    sql` or `,
  );
  const agree = sql`(${inConfiguration(english, match)} = ${inConfiguration(russian, match)} and ${inConfiguration(english, match)} = ${inConfiguration(simple, match)})`;
  const noExclusion = sql`strpos(${match}, '!') = 0`;
  return sql`(${anyConfiguration}) and (${noExclusion} or ${agree} or document @@ ${inRowLanguage(match)})`;
}

export const postgresFullTextIndex: FullTextIndex = {
  compile: compileTsquery,
  // LIMIT NULL is no limit.
  unlimited: null,

  async write(tx, rowId, entry, visible, wasPublic) {
    const db = asPg(tx);
    const config = sql`broadsheet_search_config(${entry.language})`;
    const head = sql`setweight(to_tsvector(${config}, ${entry.headline}), 'A') || setweight(to_tsvector(${config}, ${entry.dek}), 'B')`;
    if (wasPublic === undefined || entry.bodyText !== undefined) {
      // A new article or a new body: the body is analysed once, for both columns.
      const bodyText = entry.bodyText ?? '';
      const analysed = sql`(select setweight(to_tsvector(${config}, ${bodyText}), 'D') as vector)`;
      await db.execute(
        wasPublic === undefined
          ? sql`insert into article_search (row_id, public, language, headline, dek, body_text, body_vector, document)
                select ${rowId}, ${visible}, ${entry.language}, ${entry.headline}, ${entry.dek}, ${bodyText}, body.vector, ${head} || body.vector
                from ${analysed} as body`
          : sql`update article_search set public = ${visible}, language = ${entry.language}, headline = ${entry.headline},
                  dek = ${entry.dek}, body_text = ${bodyText}, body_vector = body.vector, document = ${head} || body.vector
                from ${analysed} as body where row_id = ${rowId}`,
      );
      return;
    }
    // The body stands: its vector is reused, analysed again only in a new language.
    const bodyVector = sql`(case when language = ${entry.language} then body_vector else setweight(to_tsvector(${config}, body_text), 'D') end)`;
    await db.execute(
      sql`update article_search set public = ${visible}, language = ${entry.language}, headline = ${entry.headline},
            dek = ${entry.dek}, body_vector = ${bodyVector}, document = ${head} || ${bodyVector}
          where row_id = ${rowId}`,
    );
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
    // Every match is ranked (no newest-candidates bound as on SQLite): ranking reads only the
    // small `head` of each, and the GIN bitmap finds them without reading their documents, so
    // a word in every article costs ~14 ms at 10,000 articles; walking newest-first instead
    // read each candidate's document from TOAST (128 ms).
    return db.$with('ranked').as(
      db
        .select({
          rowid: sql<number>`row_id`.as('rowid'),
          // Ranked by the headline and dek (weights A, B), a match in the body alone adding the
          // same small score to every article: higher is better for ts_rank, lower for the port.
          // Articles that score the same are ordered by recency by the query around this.
          score: sql<number>`-(ts_rank(head, ${inRowLanguage(match)}) + 0.01)`.as('score'),
        })
        .from(sql`article_search`)
        .where(sql`public and ${matching(match)}`)
        .orderBy(sql`score`, sql`row_id desc`)
        .limit(ph('window')),
    );
  },
};
