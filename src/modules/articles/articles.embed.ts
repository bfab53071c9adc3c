import { asc, eq, inArray } from 'drizzle-orm';
import type { Db, Store } from '../../db/store.ts';
import { iso } from '../../schemas.ts';
import type { PhotosRepository } from '../photos/photos.repository.ts';
import type { Photo } from '../photos/photos.schemas.ts';
import type { AdminArticle, ArticleStatus } from './articles.schemas.ts';

export type ArticleRow = Store['tables']['articles']['$inferSelect'];

export interface Byline {
  id: string;
  slug: string;
  name: string;
}

export interface Embeds {
  authors: Map<string, Byline[]>;
  tags: Map<string, Byline[]>;
  photos: Map<string, Photo>;
}

/** The status readers and editors see: "scheduled" is a published article whose time has not come. */
export function effectiveStatus(
  row: Pick<ArticleRow, 'status' | 'publishedAt'>,
  now: Date,
): ArticleStatus {
  if (
    row.status === 'published' &&
    row.publishedAt !== null &&
    row.publishedAt.getTime() > now.getTime()
  ) {
    return 'scheduled';
  }
  return row.status;
}

/** Rows of (article, byline or tag), in order, grouped per article. */
export function groupByArticle(rows: Array<{ articleId: string } & Byline>): Map<string, Byline[]> {
  const grouped = new Map<string, Byline[]>();
  for (const { articleId, id, slug, name } of rows) {
    const list = grouped.get(articleId) ?? [];
    list.push({ id, slug, name });
    grouped.set(articleId, list);
  }
  return grouped;
}

/**
 * Bylines, tags and lead photos for a batch of articles: three queries whatever the batch size.
 * Used by editor reads and inside write transactions (pass the transaction as `db`).
 */
export async function loadEmbeds(
  store: Store,
  db: Db,
  photos: PhotosRepository,
  rows: ArticleRow[],
): Promise<Embeds> {
  const ids = rows.map((row) => row.id);
  if (ids.length === 0) return { authors: new Map(), tags: new Map(), photos: new Map() };
  const { articleAuthors, articleTags, authors, tags } = store.tables;
  const [authorRows, tagRows, photoById] = await Promise.all([
    db
      .select({
        articleId: articleAuthors.articleId,
        id: authors.id,
        slug: authors.slug,
        name: authors.name,
      })
      .from(articleAuthors)
      .innerJoin(authors, eq(authors.id, articleAuthors.authorId))
      .where(inArray(articleAuthors.articleId, ids))
      .orderBy(asc(articleAuthors.articleId), asc(articleAuthors.position)),
    db
      .select({ articleId: articleTags.articleId, id: tags.id, slug: tags.slug, name: tags.name })
      .from(articleTags)
      .innerJoin(tags, eq(tags.id, articleTags.tagId))
      .where(inArray(articleTags.articleId, ids))
      .orderBy(asc(articleTags.articleId), asc(articleTags.position)),
    photos.findByIds(
      rows.flatMap((row) => (row.photoId === null ? [] : [row.photoId])),
      db,
    ),
  ]);
  return { authors: groupByArticle(authorRows), tags: groupByArticle(tagRows), photos: photoById };
}

export function toAdminArticle(row: ArticleRow, embeds: Embeds, now: Date): AdminArticle {
  return {
    id: row.id,
    slug: row.slug,
    language: row.language,
    headline: row.headline,
    dek: row.dek,
    excerpt: row.excerpt,
    customExcerpt: row.excerptSource,
    body: row.body,
    bodyHtml: row.bodyHtml,
    wordCount: row.wordCount,
    readingTimeMinutes: row.readingTimeMinutes,
    status: effectiveStatus(row, now),
    publishedAt: row.publishedAt === null ? null : iso(row.publishedAt),
    version: row.version,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
    authors: embeds.authors.get(row.id) ?? [],
    tags: embeds.tags.get(row.id) ?? [],
    photo: row.photoId === null ? null : (embeds.photos.get(row.photoId) ?? null),
  };
}
