import {
  boolean,
  index,
  integer,
  json,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { recordTimes, timestamp } from './columns.ts';
import { photos } from './photos.ts';
import { authors } from './authors.ts';
import { tags } from './tags.ts';
import { articleStatuses, type ArticleSnapshot } from '../schema/articles.ts';

// Articles, their bylines and tags in order, revisions and old slugs.

export const articles = pgTable(
  'articles',
  {
    id: text('id').primaryKey(),
    // Integer key of the article's row in the full-text index (FTS5 tables are keyed by rowid).
    searchRowId: integer('search_row_id').notNull(),
    slug: text('slug').notNull(),
    language: text('language').notNull().default('en'),
    headline: text('headline').notNull(),
    dek: text('dek'),
    // What the editor wrote; null means the excerpt is derived from the body.
    excerptSource: text('excerpt_source'),
    excerpt: text('excerpt').notNull(),
    body: text('body').notNull(),
    bodyHtml: text('body_html').notNull(),
    wordCount: integer('word_count').notNull(),
    readingTimeMinutes: integer('reading_time_minutes').notNull(),
    photoId: text('photo_id').references(() => photos.id, { onDelete: 'restrict' }),
    // Stored status; "scheduled" is derived: published with a publishedAt still in the future.
    status: text('status', { enum: articleStatuses }).notNull().default('draft'),
    publishedAt: timestamp('published_at'),
    // Whether the article's row is in the public search index, which holds visible articles only
    // (see articles_public_search): a scheduled article enters it once it falls due.
    // Search and social overrides; null falls back to the headline, dek and lead photo.
    seoTitle: text('seo_title'),
    seoDescription: text('seo_description'),
    // Set when the article's canonical page is elsewhere (syndicated copy): sitemaps leave it out.
    canonicalUrl: text('canonical_url'),
    noindex: boolean('noindex').notNull().default(false),
    socialTitle: text('social_title'),
    socialDescription: text('social_description'),
    socialPhotoId: text('social_photo_id').references(() => photos.id, { onDelete: 'restrict' }),
    // Wire copy under embargo: published_at is held at or after embargo_until, so every public
    // surface treats it as scheduled until the lift (articles.service.ts).
    embargoUntil: timestamp('embargo_until'),
    embargoSource: text('embargo_source'),
    embargoNote: text('embargo_note'),
    // Editions of one story in several languages share a group (one per language).
    translationGroupId: text('translation_group_id'),
    inPublicSearch: boolean('in_public_search').notNull().default(false),
    version: integer('version').notNull().default(1),
    ...recordTimes(),
  },
  (table) => [
    uniqueIndex('articles_language_slug_unique').on(table.language, table.slug),
    // Published articles not yet in the public search index, by when they fall due. Not a
    // partial index: the planner preferred the status index over one (scanning every published
    // row), while equality on the leading two columns here wins at once.
    index('articles_public_search_pending_idx').on(
      table.inPublicSearch,
      table.status,
      table.publishedAt,
    ),
    // Public URLs may leave the language out: then the slug alone finds the article.
    index('articles_slug_idx').on(table.slug),
    uniqueIndex('articles_search_row_id_unique').on(table.searchRowId),
    index('articles_status_published_idx').on(table.status, table.publishedAt, table.id),
    index('articles_status_language_published_idx').on(
      table.status,
      table.language,
      table.publishedAt,
      table.id,
    ),
    // Covers the sitemap index's count per month (reading the table instead, every row with its
    // body, took 1,056 ms at 100,000 articles; this index 49 ms) and a month file's keyset
    // batches, which the planner then picks: without `id` here each batch sorted the rest of
    // the month.
    index('articles_sitemap_idx').on(
      table.status,
      table.noindex,
      table.publishedAt,
      table.id,
      table.updatedAt,
      table.canonicalUrl,
    ),
    index('articles_updated_idx').on(table.updatedAt, table.id),
    index('articles_photo_id_idx').on(table.photoId),
    index('articles_social_photo_id_idx').on(table.socialPhotoId),
    uniqueIndex('articles_translation_group_language_unique').on(
      table.translationGroupId,
      table.language,
    ),
  ],
);

// Join tables carry the article's public publication time (null unless published), so a list
// filtered by tag or author walks one index in publication order.
/** The columns both join tables share: the article, the position in its list, when it is public. */
const joinedToArticle = () => ({
  articleId: text('article_id')
    .notNull()
    .references(() => articles.id, { onDelete: 'cascade' }),
  position: integer('position').notNull(),
  publishedAt: timestamp('published_at'),
});

export const articleAuthors = pgTable(
  'article_authors',
  {
    ...joinedToArticle(),
    // An author with bylines cannot be deleted; their articles must let go first.
    authorId: text('author_id')
      .notNull()
      .references(() => authors.id, { onDelete: 'restrict' }),
  },
  (table) => [
    primaryKey({ columns: [table.articleId, table.authorId] }),
    index('article_authors_author_published_idx').on(
      table.authorId,
      table.publishedAt,
      table.articleId,
    ),
  ],
);

export const articleTags = pgTable(
  'article_tags',
  {
    ...joinedToArticle(),
    tagId: text('tag_id')
      .notNull()
      .references(() => tags.id, { onDelete: 'restrict' }),
  },
  (table) => [
    primaryKey({ columns: [table.articleId, table.tagId] }),
    index('article_tags_tag_published_idx').on(table.tagId, table.publishedAt, table.articleId),
  ],
);

export const articleRevisions = pgTable(
  'article_revisions',
  {
    id: text('id').primaryKey(),
    articleId: text('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    // The version of the article this snapshot was.
    version: integer('version').notNull(),
    snapshot: json('snapshot').$type<ArticleSnapshot>().notNull(),
    createdAt: timestamp('created_at').notNull(),
    createdByTokenId: text('created_by_token_id'),
  },
  (table) => [
    uniqueIndex('article_revisions_article_version_unique').on(table.articleId, table.version),
  ],
);

/** Slugs an article was published under before; the public route redirects them. */
export const articleSlugRedirects = pgTable(
  'article_slug_redirects',
  {
    language: text('language').notNull(),
    slug: text('slug').notNull(),
    articleId: text('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.language, table.slug] }),
    index('article_slug_redirects_article_idx').on(table.articleId),
    index('article_slug_redirects_slug_idx').on(table.slug),
  ],
);

/**
 * Each published article's public JSON, rendered inside the write that changes it (or an author,
 * tag or photo it shows), so a public read returns ready bytes: `summary` is its list item,
 * `body` the whole single-article response with its `etag` and `surrogate_key` header. Who may
 * see it stays a read-time condition on `articles`. `format` names the renderer that wrote the
 * row; rows of an older format are rendered again at start-up.
 */
export const articleDocuments = pgTable(
  'article_documents',
  {
    articleId: text('article_id')
      .primaryKey()
      .references(() => articles.id, { onDelete: 'cascade' }),
    format: integer('format').notNull(),
    summary: text('summary').notNull(),
    body: text('body').notNull(),
    etag: text('etag').notNull(),
    surrogateKey: text('surrogate_key').notNull(),
    // When the document changes by itself (an edition it lists falls due): read after this, it
    // is rendered again first.
    validUntil: timestamp('valid_until'),
  },
  // Start-up asks which documents are missing or of an older format: this answers from a small
  // index instead of reading every (large) document row, which took seconds at 100,000 articles.
  (table) => [index('article_documents_format_idx').on(table.articleId, table.format)],
);
