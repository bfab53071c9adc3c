import { and, eq, inArray, lte, sql } from 'drizzle-orm';
import type { Db, Store } from '../../db/store.ts';

// The public search index holds visible articles only (migrations/0007_public_search_index.sql).
// Publication by time needs no job: before a public search, articles that fell due since the
// last one are copied in, found through an index whose matching part is empty almost always.

const dueBatch = 500;

export function createPublicSearchIndexer(store: Store) {
  const { articles, articlesSearch, articlesPublicSearch } = store.tables;

  /** Moves articles' rows from the editors' index (articles no reader sees) to the public one. */
  async function moveToPublicSearch(tx: Db, searchRowIds: number[]): Promise<void> {
    if (searchRowIds.length === 0) return;
    await tx.insert(articlesPublicSearch).select(
      tx
        .select({
          rowid: articlesSearch.rowid,
          headline: articlesSearch.headline,
          dek: articlesSearch.dek,
          bodyText: articlesSearch.bodyText,
        })
        .from(articlesSearch)
        .where(inArray(articlesSearch.rowid, searchRowIds)),
    );
    await tx.delete(articlesSearch).where(inArray(articlesSearch.rowid, searchRowIds));
  }

  // Walks articles_public_search_pending_idx: empty almost always, so the check costs one probe.
  const notYetIndexed = and(eq(articles.inPublicSearch, false), eq(articles.status, 'published'));
  const dueCondition = (now: number) =>
    and(notYetIndexed, lte(articles.publishedAt, new Date(now)));
  const anyDue = store.statement('articles.public.searchDue', (db) =>
    db
      .select({ id: articles.id })
      .from(articles)
      .where(and(notYetIndexed, sql`${articles.publishedAt} <= ${sql.placeholder('now')}`))
      .limit(1),
  );

  /** One batch in one write; how many it indexed. */
  const indexBatch = (now: Date) =>
    store.write(async (tx) => {
      const due = await tx
        .select({ id: articles.id, searchRowId: articles.searchRowId })
        .from(articles)
        .where(dueCondition(now.getTime()))
        .limit(dueBatch);
      if (due.length === 0) return 0;
      await moveToPublicSearch(
        tx,
        due.map((row) => row.searchRowId),
      );
      await tx
        .update(articles)
        .set({ inPublicSearch: true })
        .where(
          inArray(
            articles.id,
            due.map((row) => row.id),
          ),
        );
      return due.length;
    });

  // Searches arriving while the index catches up wait for the same catch-up, not one each.
  let catchingUp: Promise<void> | null = null;

  return {
    /** Adds every article that has fallen due by `now` to the public index; cheap when none has. */
    async indexDue(now: Date): Promise<void> {
      if (catchingUp !== null) return catchingUp;
      if ((await anyDue({ now: now.getTime() })).length === 0) return;
      catchingUp ??= (async () => {
        try {
          // Batches in separate writes, so a large backlog never holds the writer for long.
          while ((await indexBatch(now)) === dueBatch);
        } finally {
          catchingUp = null;
        }
      })();
      return catchingUp;
    },
  };
}

export type PublicSearchIndexer = ReturnType<typeof createPublicSearchIndexer>;
