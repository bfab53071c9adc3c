import { integer, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { idAndSlug, recordTimes, timestamp } from './columns.ts';

// Pages and their immutable versions.

export const pageStatuses = ['draft', 'published'] as const;

export const pages = pgTable(
  'pages',
  {
    ...idAndSlug(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    bodyHtml: text('body_html').notNull(),
    status: text('status', { enum: pageStatuses }).notNull().default('draft'),
    // Bumped whenever the title or body changes; each version's text is kept in page_versions.
    version: integer('version').notNull().default(1),
    publishedAt: timestamp('published_at'),
    ...recordTimes(),
  },
  (table) => [uniqueIndex('pages_slug_unique').on(table.slug)],
);

/** Every version of a page's text, immutable: "privacy-policy@3" always means the same words. */
export const pageVersions = pgTable(
  'page_versions',
  {
    pageId: text('page_id')
      .notNull()
      .references(() => pages.id, { onDelete: 'restrict' }),
    version: integer('version').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    bodyHtml: text('body_html').notNull(),
    createdAt: timestamp('created_at').notNull(),
    // When this version was first public; null for a version only ever seen by editors (a draft
    // text is never served at /v1/pages/{slug}/versions/{n}).
    publishedAt: timestamp('published_at'),
  },
  (table) => [primaryKey({ columns: [table.pageId, table.version] })],
);
