import { and, desc, eq, gte, sql } from 'drizzle-orm';
import type { Store } from '../../db/store.ts';
import type { SearchTerms } from '../../lib/search-query.ts';
import {
  type ListedArticle,
  publicArticleQueries,
  type PublicListFilters,
} from './articles.public.queries.ts';

// Ranked public search over the public full-text index. It runs on a search thread with a
// read connection of its own (workers/search.worker.ts), or in process when threads are off.

/** Matches scored for relevance: the newest this many (all of them when filters thin results). */
const searchCandidates = 2000;
const ph = sql.placeholder;

/** `budgetMs`: how long one search query may run where the database can enforce it (PostgreSQL;
 * on SQLite the search thread's budget does, see workers/search-pool.ts). */
export function createPublicSearchRepository(store: Store, budgetMs?: number) {
  const { articles, articleDocuments } = store.tables;
  const budgetOptions = budgetMs === undefined ? {} : { timeoutMs: budgetMs };
  const { listedFields, withDocument, visible, hasAuthor, hasTag } = publicArticleQueries(store);

  function searchStatement(filters: PublicListFilters) {
    const shape = [
      filters.tagSlug,
      filters.authorSlug,
      filters.language,
      filters.publishedAfter,
      filters.publishedBefore,
    ]
      .map((value) => value !== undefined)
      .join(':');
    return store.statement(
      `articles.public.search:${shape}`,
      (db) => {
        // Rank inside the full-text index first and join only the best `window` matches: joining
        // every match of a common word (100,000 rows) to articles before sorting cost ~300 ms at
        // 100k articles, ranking alone ~50 ms (SQLite). The window `unlimited` means all matches
        // (the fallback).
        const ranked = store.search.rankedPublic(db);
        return (
          db
            .with(ranked)
            .select(listedFields)
            .from(ranked)
            // CROSS JOIN keeps the ranked matches as the outer loop.
            .crossJoin(articles)
            .innerJoin(articleDocuments, withDocument)
            .where(
              and(
                eq(articles.searchRowId, ranked.rowid),
                visible,
                filters.tagSlug === undefined ? undefined : hasTag,
                filters.authorSlug === undefined ? undefined : hasAuthor,
                filters.language === undefined ? undefined : eq(articles.language, ph('language')),
                filters.publishedAfter === undefined
                  ? undefined
                  : gte(articles.publishedAt, ph('after')),
                filters.publishedBefore === undefined
                  ? undefined
                  : sql`${articles.publishedAt} < ${ph('before')}`,
              ),
            )
            .orderBy(sql`"ranked"."score"`, desc(articles.publishedAt), desc(articles.id))
            .limit(ph('limit'))
            .offset(ph('offset'))
        );
      },
      budgetOptions,
    );
  }

  return {
    async search(
      terms: SearchTerms,
      filters: PublicListFilters,
      offset: number,
      limit: number,
      now: Date,
    ): Promise<ListedArticle[]> {
      const match = store.search.compile(terms);
      const run = (window: number | null, candidates: number) =>
        searchStatement(filters)({
          match,
          window,
          candidatesOffset: candidates - 1,
          tag: filters.tagSlug,
          author: filters.authorSlug,
          language: filters.language,
          after: filters.publishedAfter?.getTime(),
          before: filters.publishedBefore?.getTime(),
          now: now.getTime(),
          limit,
          offset,
        });
      // Most matches are public and unfiltered, so a window a few pages deep is nearly always
      // enough; when filters or hidden articles thin it out, rank every match instead.
      const window = (offset + limit) * 4 + 100;
      let rows = await run(window, Math.max(searchCandidates, window));
      if (rows.length < limit) rows = await run(store.search.unlimited, Number.MAX_SAFE_INTEGER);
      return rows;
    },
  };
}

export type PublicSearchRepository = ReturnType<typeof createPublicSearchRepository>;
