import { and, eq, inArray, lte, sql } from 'drizzle-orm';
import type { Db, Store } from '../../db/store.ts';

// Every article's text is in exactly one full-text index: the public one while a reader can see
// it, the editors' one (drafts, scheduled, archived) otherwise, so an edit re-indexes it once.
// Publication by time needs no job: before a public search, articles that fell due since the
// last one are moved over, found through an index whose matching part is empty almost always.

const dueBatch = 500;

/** What the index holds of an article; `bodyText` undefined when the body did not change. */
export interface IndexedText {
  language: string;
  headline: string;
  dek: string | null;
  bodyText: string | undefined;
  status: 'draft' | 'published' | 'archived';
  publishedAt: Date | null;
}

export function createSearchIndexWriter(store: Store) {
  const { articles } = store.tables;
  return {
    /**
     * Writes an article's row into the index, public when a reader can see the article at `at`.
     * `wasPublic` is undefined for a new article.
     */
    async write(
      tx: Db,
      article: { id: string; searchRowId: number; wasPublic: boolean | undefined },
      content: IndexedText,
      at: Date,
    ): Promise<void> {
      const visible =
        content.status === 'published' &&
        content.publishedAt !== null &&
        content.publishedAt.getTime() <= at.getTime();
      await store.search.write(
        tx,
        article.searchRowId,
        {
          language: content.language,
          headline: content.headline,
          dek: content.dek ?? '',
          bodyText: content.bodyText,
        },
        visible,
        article.wasPublic,
      );
      if (article.wasPublic !== visible)
        await tx
          .update(articles)
          .set({ inPublicSearch: visible })
          .where(eq(articles.id, article.id));
    },

    remove: (tx: Db, searchRowId: number) => store.search.remove(tx, searchRowId),
  };
}

export function createPublicSearchIndexer(store: Store) {
  const { articles } = store.tables;

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
      await store.search.publish(
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
