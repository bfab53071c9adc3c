import { type AnyColumn, eq, inArray, or, sql } from 'drizzle-orm';
import type { SearchTerm, SearchTerms } from '../lib/search-query.ts';
import type { FullTextIndex } from './search.ts';
import { articlesPublicSearch, articlesSearch, searchWeights } from './search-index.ts';
import type { Db } from './store.ts';

// Full-text search on SQLite: two FTS5 tables, the public one holding only articles a reader can
// see (bm25's statistics would otherwise reveal words of drafts), the editors' one the others.
// Each article is in exactly one of them.

const ph = sql.placeholder;

function quote(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

const term = (each: SearchTerm) => (each.prefix ? `${quote(each.text)}*` : quote(each.text));

export function compileFts5(terms: SearchTerms): string {
  const positive = terms.include.map(term).join(' AND ');
  if (terms.exclude.length === 0) return positive;
  return `(${positive}) NOT (${terms.exclude.map(term).join(' OR ')})`;
}

const bm25 = sql.raw(
  `bm25(articles_public_search, ${searchWeights.headline}, ${searchWeights.dek}, ${searchWeights.bodyText})`,
);

export const sqliteFullTextIndex: FullTextIndex = {
  compile: compileFts5,
  unlimited: -1,

  async write(tx, rowId, entry, visible, wasPublic) {
    const target = visible ? articlesPublicSearch : articlesSearch;
    const columns = {
      headline: entry.headline,
      dek: entry.dek,
      ...(entry.bodyText === undefined ? {} : { bodyText: entry.bodyText }),
    };
    if (wasPublic === visible) {
      await tx.update(target).set(columns).where(eq(target.rowid, rowId));
      return;
    }
    let bodyText = entry.bodyText;
    if (wasPublic !== undefined) {
      const source = wasPublic ? articlesPublicSearch : articlesSearch;
      if (bodyText === undefined) {
        const [row] = await tx
          .select({ bodyText: source.bodyText })
          .from(source)
          .where(eq(source.rowid, rowId));
        bodyText = row?.bodyText;
      }
      await tx.delete(source).where(eq(source.rowid, rowId));
    }
    await tx.insert(target).values({ rowid: rowId, ...columns, bodyText: bodyText ?? '' });
  },

  async remove(tx, rowId) {
    await tx.delete(articlesSearch).where(eq(articlesSearch.rowid, rowId));
    await tx.delete(articlesPublicSearch).where(eq(articlesPublicSearch.rowid, rowId));
  },

  async publish(tx, rowIds) {
    if (rowIds.length === 0) return;
    await tx.insert(articlesPublicSearch).select(
      tx
        .select({
          rowid: articlesSearch.rowid,
          headline: articlesSearch.headline,
          dek: articlesSearch.dek,
          bodyText: articlesSearch.bodyText,
        })
        .from(articlesSearch)
        .where(inArray(articlesSearch.rowid, rowIds)),
    );
    await tx.delete(articlesSearch).where(inArray(articlesSearch.rowid, rowIds));
  },

  matchesAny(db: Db, rowIdColumn: AnyColumn, match: string) {
    const within = (table: typeof articlesSearch | typeof articlesPublicSearch) =>
      inArray(
        rowIdColumn,
        db
          .select({ id: table.rowid })
          .from(table)
          .where(sql`${table} MATCH ${match}`),
      );
    return or(within(articlesSearch), within(articlesPublicSearch)) ?? sql`false`;
  },

  rankedPublic(db) {
    const index = articlesPublicSearch;
    // Scoring is bounded to the newest `candidates` matches (FTS5 walks rowids, which follow
    // creation, cheaply in descending order): bm25 over every match of a common word grows with
    // the archive, and news readers look for recent stories first.
    const newestBound = sql`coalesce((select rowid from ${index} where ${index} MATCH ${ph('match')} order by rowid desc limit 1 offset ${ph('candidatesOffset')}), 0)`;
    return db.$with('ranked').as(
      db
        .select({
          rowid: sql<number>`${index.rowid}`.as('rowid'),
          score: sql<number>`${bm25}`.as('score'),
        })
        .from(index)
        .where(sql`${index} MATCH ${ph('match')} and ${index.rowid} >= ${newestBound}`)
        .orderBy(sql`score`)
        .limit(ph('window')),
    );
  },
};
