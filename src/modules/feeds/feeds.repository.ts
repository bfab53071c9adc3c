import { eq, sql } from 'drizzle-orm';
import type { Store } from '../../db/store.ts';
import { amongIds, idsParam } from '../articles/articles.public.queries.ts';

// What feeds read besides the public list: the ready documents of the listed articles (one
// query for any number), and the tag or author a feed follows.

const ph = sql.placeholder;

export function createFeedsRepository(store: Store) {
  const { articleDocuments, tags, authors } = store.tables;
  const documents = store.statement<Array<{ articleId: string; body: string }>, { ids: string }>(
    'feeds.documents',
    (db) =>
      db
        .select({ articleId: articleDocuments.articleId, body: articleDocuments.body })
        .from(articleDocuments)
        .where(amongIds(store, articleDocuments.articleId)),
  );
  const tagBySlug = store.statement<Array<{ id: string; name: string }>, { slug: string }>(
    'feeds.tagBySlug',
    (db) =>
      db
        .select({ id: tags.id, name: tags.name })
        .from(tags)
        .where(eq(tags.slug, ph('slug')))
        .limit(1),
  );
  const authorBySlug = store.statement<Array<{ id: string; name: string }>, { slug: string }>(
    'feeds.authorBySlug',
    (db) =>
      db
        .select({ id: authors.id, name: authors.name })
        .from(authors)
        .where(eq(authors.slug, ph('slug')))
        .limit(1),
  );
  return {
    /** The public documents (`{"data":{…}}`) of these articles, by article id. */
    async documents(ids: readonly string[]): Promise<Map<string, string>> {
      if (ids.length === 0) return new Map();
      const rows = await documents(idsParam(ids));
      return new Map(rows.map((row) => [row.articleId, row.body]));
    },
    findTag: async (slug: string) => (await tagBySlug({ slug }))[0],
    findAuthor: async (slug: string) => (await authorBySlug({ slug }))[0],
  };
}

export type FeedsRepository = ReturnType<typeof createFeedsRepository>;
