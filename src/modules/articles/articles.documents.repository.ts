import { and, asc, eq, gt, inArray, isNotNull, isNull, ne, or, sql } from 'drizzle-orm';
import type { ArticleSeoColumns } from '../../db/schema/articles.ts';
import type { Db, Store } from '../../db/store.ts';
import type { PhotoRecord } from '../photos/photos.repository.ts';
import type { EmbeddedRecord } from '../shared/embedded-changes.ts';
import { type CorrectionRecord, createEmbedsInWrite } from './articles.embed.ts';
import {
  amongIds,
  idsParam,
  publicArticleQueries,
  type SummaryRecord,
  type SummaryRow,
} from './articles.public.queries.ts';

// Where published articles' public documents are kept (the article_documents table): the records
// a render needs, read inside the write that changed them, and the rows written back.

/** One article's rendered public JSON, as stored. */
export interface ArticleDocument {
  articleId: string;
  format: number;
  summary: string;
  body: string;
  etag: string;
  surrogateKey: string;
  validUntil: Date | null;
}

/** A published edition of the same story in another language (public once its time has come). */
export interface EditionRow {
  id: string;
  slug: string;
  language: string;
  publishedAt: Date | null;
}

/**
 * What a document is rendered from: the list item's record, the HTML body, and the search and
 * social overrides with the card photo (which only the single-article document shows).
 */
export type DocumentSource = SummaryRecord & {
  bodyHtml: string;
  storedEtag: string | null;
  seo: ArticleSeoColumns;
  socialPhoto: PhotoRecord | null;
  corrections: CorrectionRecord[];
  /** The other published editions of its translation group, scheduled ones included. */
  editions: EditionRow[];
};

/** Renders the documents of these articles as they stand inside the write `tx`. */
export type RenderDocuments = (tx: Db, articleIds: readonly string[]) => Promise<void>;

/** Rows per INSERT: six columns each stays far below SQLite's parameter limit. */
const insertBatch = 200;

export function createArticleDocumentsRepository(store: Store) {
  const { articles, articleAuthors, articleTags, articleDocuments, photos } = store.tables;
  const { summaryFields } = publicArticleQueries(store);
  const embeds = createEmbedsInWrite(store);
  // Every write renders the documents of what it changed: prepared once (Store.writeStatement).
  const sourceRows = store.writeStatement<
    Array<
      SummaryRow & {
        bodyHtml: string;
        storedEtag: string | null;
        seo: ArticleSeoColumns;
        groupId: string | null;
      }
    >,
    { ids: string }
  >('articles.documents.sources', (db) =>
    db
      .select({
        ...summaryFields,
        bodyHtml: articles.bodyHtml,
        storedEtag: articleDocuments.etag,
        groupId: articles.translationGroupId,
        seo: {
          seoTitle: articles.seoTitle,
          seoDescription: articles.seoDescription,
          canonicalUrl: articles.canonicalUrl,
          noindex: articles.noindex,
          socialTitle: articles.socialTitle,
          socialDescription: articles.socialDescription,
          socialPhotoId: articles.socialPhotoId,
        },
      })
      .from(articles)
      .leftJoin(photos, eq(photos.id, articles.photoId))
      .leftJoin(articleDocuments, eq(articleDocuments.articleId, articles.id))
      .where(and(amongIds(store, articles.id), eq(articles.status, 'published'))),
  );
  const due = (format: number, everyOne: boolean) =>
    and(
      eq(articles.status, 'published'),
      everyOne
        ? undefined
        : or(isNull(articleDocuments.articleId), ne(articleDocuments.format, format)),
    );

  return {
    /** The published articles among `ids` with their bylines, tags and lead photo (drafts have no document). */
    async sources(tx: Db, ids: readonly string[]): Promise<DocumentSource[]> {
      if (ids.length === 0) return [];
      const rows = await sourceRows(tx, idsParam(ids));
      if (rows.length === 0) return [];
      const { authors: bylines, tags: tagLists } = await embeds.bylinesAndTags(
        tx,
        rows.map((row) => row.id),
      );
      const corrections = await embeds.correctionsOf(
        tx,
        rows.map((row) => row.id),
      );
      const cardPhotos = await embeds.photosById(tx, [
        ...new Set(
          rows.flatMap(({ seo }) => (seo.socialPhotoId === null ? [] : [seo.socialPhotoId])),
        ),
      ]);
      const groupIds = [
        ...new Set(rows.flatMap(({ groupId }) => (groupId === null ? [] : [groupId]))),
      ];
      const editions = await embeds.editionsIn(tx, groupIds);
      return rows.map(({ bodyHtml, storedEtag, seo, groupId, ...row }) => ({
        row,
        bodyHtml,
        storedEtag,
        seo,
        editions: (groupId === null ? [] : (editions.get(groupId) ?? [])).filter(
          (edition) => edition.id !== row.id && edition.status === 'published',
        ),
        socialPhoto:
          seo.socialPhotoId === null ? null : (cardPhotos.get(seo.socialPhotoId) ?? null),
        corrections: corrections.get(row.id) ?? [],
        authors: bylines.get(row.id) ?? [],
        tags: tagLists.get(row.id) ?? [],
      }));
    },

    /** Writes these documents and removes those of `withdrawn` (no longer published). */
    async save(
      tx: Db,
      documents: readonly ArticleDocument[],
      withdrawn: readonly string[],
    ): Promise<void> {
      if (withdrawn.length > 0)
        await tx
          .delete(articleDocuments)
          .where(inArray(articleDocuments.articleId, [...withdrawn]));
      for (let start = 0; start < documents.length; start += insertBatch) {
        await tx
          .insert(articleDocuments)
          .values(documents.slice(start, start + insertBatch))
          .onConflictDoUpdate({
            target: articleDocuments.articleId,
            set: {
              format: sql`excluded.format`,
              summary: sql`excluded.summary`,
              body: sql`excluded.body`,
              etag: sql`excluded.etag`,
              surrogateKey: sql`excluded.surrogate_key`,
              validUntil: sql`excluded.valid_until`,
            },
          });
      }
    },

    /** Published articles that show `embedded`, after `afterId` in id order, `limit` at a time. */
    async showing(
      tx: Db,
      embedded: EmbeddedRecord,
      afterId: string,
      limit: number,
    ): Promise<string[]> {
      if (embedded.kind === 'photo') {
        const rows = await tx
          .select({ id: articles.id })
          .from(articles)
          .where(
            and(
              or(eq(articles.photoId, embedded.id), eq(articles.socialPhotoId, embedded.id)),
              eq(articles.status, 'published'),
              gt(articles.id, afterId),
            ),
          )
          .orderBy(asc(articles.id))
          .limit(limit);
        return rows.map((row) => row.id);
      }
      // The join tables carry a publication time only while the article is published.
      const join =
        embedded.kind === 'author'
          ? {
              table: articleAuthors,
              owner: articleAuthors.authorId,
              articleId: articleAuthors.articleId,
              publishedAt: articleAuthors.publishedAt,
            }
          : {
              table: articleTags,
              owner: articleTags.tagId,
              articleId: articleTags.articleId,
              publishedAt: articleTags.publishedAt,
            };
      const rows = await tx
        .select({ id: join.articleId })
        .from(join.table)
        .where(
          and(
            eq(join.owner, embedded.id),
            isNotNull(join.publishedAt),
            gt(join.articleId, afterId),
          ),
        )
        .orderBy(asc(join.articleId))
        .limit(limit);
      return rows.map((row) => row.id);
    },

    /**
     * Published articles after `afterId` (id order) whose document is missing or was written by
     * another renderer format; with `everyOne`, all published articles.
     */
    async dueIds(format: number, everyOne: boolean, afterId: string, limit: number) {
      const rows = await store.db
        .select({ id: articles.id })
        .from(articles)
        .leftJoin(articleDocuments, eq(articleDocuments.articleId, articles.id))
        .where(and(due(format, everyOne), gt(articles.id, afterId)))
        .orderBy(asc(articles.id))
        .limit(limit);
      return rows.map((row) => row.id);
    },

    /** How many documents `dueIds` would list from the start. */
    async countDue(format: number, everyOne: boolean): Promise<number> {
      const [row] = await store.db
        .select({ count: sql<number>`count(*)` })
        .from(articles)
        .leftJoin(articleDocuments, eq(articleDocuments.articleId, articles.id))
        .where(due(format, everyOne));
      return row?.count ?? 0;
    },

    /** Documents whose article is no longer published (left by an older version or a manual edit). */
    async removeOrphans(): Promise<void> {
      await store.write((tx) =>
        tx
          .delete(articleDocuments)
          .where(
            sql`${articleDocuments.articleId} not in (select ${articles.id} from ${articles} where ${articles.status} = 'published')`,
          ),
      );
    },
  };
}

export type ArticleDocumentsRepository = ReturnType<typeof createArticleDocumentsRepository>;
