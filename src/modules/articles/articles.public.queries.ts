import { type AnyColumn, and, eq, sql } from 'drizzle-orm';
import type { Store } from '../../db/store.ts';
import type { PhotoRecord } from '../photos/photos.repository.ts';
import type { Byline } from './articles.embed.ts';

// What the public article reads share: the columns of a listed article (its ready document, see
// articles.documents.ts), the visibility rule, and the author and tag filters.

/** The most articles one batch query names (a page, "Read more" candidates). */
export const maxBatch = 100;
const ph = sql.placeholder;

/**
 * "Among the ids in the `ids` parameter", bound as one JSON array: a prepared statement of one
 * shape for any batch size, with no padding to bind or probe.
 */
export const amongIds = (store: Store, column: AnyColumn) =>
  store.dialect.inJsonArray(column, 'ids');

/** The `ids` parameter for `amongIds`. */
export const idsParam = (ids: readonly string[]) => ({ ids: JSON.stringify(ids) });

export interface PublicListFilters {
  tagSlug?: string | undefined;
  authorSlug?: string | undefined;
  language?: string | undefined;
  publishedAfter?: Date | undefined;
  publishedBefore?: Date | undefined;
}

export interface SummaryRow {
  id: string;
  slug: string;
  language: string;
  headline: string;
  dek: string | null;
  excerpt: string;
  wordCount: number;
  readingTimeMinutes: number;
  publishedAt: Date | null;
  updatedAt: Date;
  photo: PhotoRecord | null;
}

/** A public article summary with its bylines and tags, in order: what a document is rendered from. */
export interface SummaryRecord {
  row: SummaryRow;
  authors: Byline[];
  tags: Byline[];
}

/** An article as a public list shows it: where it sorts, its lead photo, its ready list item. */
export interface ListedArticle {
  id: string;
  publishedAt: Date | null;
  photoId: string | null;
  /** The list item's JSON, as rendered when the article last changed. */
  summary: string;
}

export function publicArticleQueries(store: Store) {
  const { articles, articleAuthors, articleTags, articleDocuments, authors, tags, photos } =
    store.tables;
  const summaryFields = {
    id: articles.id,
    slug: articles.slug,
    language: articles.language,
    headline: articles.headline,
    dek: articles.dek,
    excerpt: articles.excerpt,
    wordCount: articles.wordCount,
    readingTimeMinutes: articles.readingTimeMinutes,
    publishedAt: articles.publishedAt,
    updatedAt: articles.updatedAt,
    photo: photos,
  };
  const tagIdBySlug = sql`(select ${tags.id} from ${tags} where ${tags.slug} = ${ph('tag')})`;
  const authorIdBySlug = sql`(select ${authors.id} from ${authors} where ${authors.slug} = ${ph('author')})`;
  const listedFields = {
    id: articles.id,
    publishedAt: articles.publishedAt,
    photoId: articles.photoId,
    summary: articleDocuments.summary,
  };

  return {
    summaryFields,
    /** Listed articles' columns: select from `articles` (or joined to it), inner-joined on `withDocument`. */
    listedFields,
    withDocument: eq(articleDocuments.articleId, articles.id),
    visible: and(eq(articles.status, 'published'), sql`${articles.publishedAt} <= ${ph('now')}`),
    tagIdBySlug,
    authorIdBySlug,
    hasAuthor: sql`exists (select 1 from ${articleAuthors} where ${articleAuthors.articleId} = ${articles.id} and ${articleAuthors.authorId} = ${authorIdBySlug})`,
    hasTag: sql`exists (select 1 from ${articleTags} where ${articleTags.articleId} = ${articles.id} and ${articleTags.tagId} = ${tagIdBySlug})`,
  };
}
