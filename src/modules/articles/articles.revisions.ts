import { and, desc, eq, lt, sql } from 'drizzle-orm';
import type { Db, Store } from '../../db/store.ts';
import { newId } from '../../lib/ids.ts';
import { seoColumnsOf } from './articles.content.ts';
import type { Actor, ArticleState } from './articles.repository.ts';

export const maxRevisionsPerArticle = 50;

type RevisionRow = Store['tables']['articleRevisions']['$inferInsert'];

/** Every save keeps one: the insert is prepared once per store (Store.writeStatement). */
function insertRevision(store: Store) {
  const { articleRevisions } = store.tables;
  const ph = sql.placeholder;
  return store.writeStatement<Array<{ id: string }>, Required<RevisionRow>>(
    'articles.revisions.insert',
    (db) =>
      db
        .insert(articleRevisions)
        .values({
          id: ph('id'),
          articleId: ph('articleId'),
          version: ph('version'),
          createdAt: ph('createdAt'),
          createdByTokenId: ph('createdByTokenId'),
          snapshot: ph('snapshot'),
        })
        .returning({ id: articleRevisions.id }),
  );
}

/** Keeps the previous version as a revision; history is bounded to the newest ones. */
export async function keepRevision(
  store: Store,
  tx: Db,
  current: ArticleState,
  at: Date,
  actor: Actor,
): Promise<void> {
  const { articleRevisions } = store.tables;
  await insertRevision(store)(tx, {
    id: newId('rev', at.getTime()),
    articleId: current.id,
    version: current.version,
    createdAt: at,
    createdByTokenId: actor.tokenId,
    snapshot: {
      slug: current.slug,
      language: current.language,
      headline: current.headline,
      dek: current.dek,
      excerptSource: current.excerptSource,
      body: current.body,
      photoId: current.photoId,
      authorIds: current.authorIds,
      tagIds: current.tagIds,
      status: current.status,
      publishedAt: current.publishedAt === null ? null : current.publishedAt.toISOString(),
      seo: seoColumnsOf(current),
    },
  });
  // Versions start at 1: below the bound there is nothing to trim (and no statement to send).
  const oldestKept = current.version + 1 - maxRevisionsPerArticle;
  if (oldestKept <= 1) return;
  await tx
    .delete(articleRevisions)
    .where(
      and(eq(articleRevisions.articleId, current.id), lt(articleRevisions.version, oldestKept)),
    );
}

export function createRevisionsRepository(store: Store) {
  const { articleRevisions } = store.tables;
  return {
    list(id: string) {
      return store.db
        .select()
        .from(articleRevisions)
        .where(eq(articleRevisions.articleId, id))
        .orderBy(desc(articleRevisions.version));
    },

    async find(id: string, revisionId: string) {
      const [row] = await store.db
        .select()
        .from(articleRevisions)
        .where(and(eq(articleRevisions.articleId, id), eq(articleRevisions.id, revisionId)))
        .limit(1);
      return row;
    },
  };
}

export type RevisionsRepository = ReturnType<typeof createRevisionsRepository>;
