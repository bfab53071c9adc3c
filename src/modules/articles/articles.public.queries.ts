import { type AnyColumn, and, eq, sql } from 'drizzle-orm';
import type { Db, Store } from '../../db/store.ts';
import type { PhotoRecord } from '../photos/photos.repository.ts';
import { type Byline, embedQueries, groupByArticle } from './articles.embed.ts';

// What the public article reads share: the summary columns, the visibility rule, the author and
// tag filters, and the batch of bylines and tags for a page, prepared once per process.

/** The most articles one batch query names (a page, "Read more" candidates). */
export const maxBatch = 100;
const ph = sql.placeholder;

/**
 * "Among the ids in the `ids` parameter", bound as one JSON array: a prepared statement of one
 * shape for any batch size, with no padding to bind or probe.
 */
export const amongIds = (column: AnyColumn) =>
  sql`${column} in (select value from json_each(${ph('ids')}))`;

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

/** A public article summary with its bylines and tags, in order. */
export interface SummaryRecord {
  row: SummaryRow;
  authors: Byline[];
  tags: Byline[];
}

export function publicArticleQueries(store: Store) {
  const { articles, articleAuthors, articleTags, authors, tags, photos } = store.tables;
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
  const bylinesFor = store.statement(
    'articles.public.bylines',
    (db) => embedQueries(store, db, amongIds).bylines,
  );
  const tagsFor = store.statement(
    'articles.public.tags',
    (db) => embedQueries(store, db, amongIds).tags,
  );

  return {
    summaryFields,
    selectSummary: (db: Db) => db.select(summaryFields),
    visible: and(eq(articles.status, 'published'), sql`${articles.publishedAt} <= ${ph('now')}`),
    tagIdBySlug,
    authorIdBySlug,
    hasAuthor: sql`exists (select 1 from ${articleAuthors} where ${articleAuthors.articleId} = ${articles.id} and ${articleAuthors.authorId} = ${authorIdBySlug})`,
    hasTag: sql`exists (select 1 from ${articleTags} where ${articleTags.articleId} = ${articles.id} and ${articleTags.tagId} = ${tagIdBySlug})`,

    /** Bylines and tags for a page of summaries: two queries whatever its size. */
    async embed<T extends SummaryRow>(rows: T[]): Promise<Array<SummaryRecord & { row: T }>> {
      const params = idsParam(rows.map((row) => row.id));
      const [bylineRows, tagRows] = await Promise.all([bylinesFor(params), tagsFor(params)]);
      const bylines = groupByArticle(bylineRows);
      const tagLists = groupByArticle(tagRows);
      return rows.map((row) => ({
        row,
        authors: bylines.get(row.id) ?? [],
        tags: tagLists.get(row.id) ?? [],
      }));
    },
  };
}
