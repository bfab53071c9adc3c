import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

// Timestamps are stored as integer milliseconds since the epoch (UTC) and surface as Date.
const timestamp = (name: string) => integer(name, { mode: 'timestamp_ms' });

export const apiTokens = sqliteTable(
  'api_tokens',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    role: text('role', { enum: ['writer', 'editor', 'admin'] }).notNull(),
    // SHA-256 of the whole token; the token itself is never stored.
    tokenHash: text('token_hash').notNull(),
    // The first characters of the token, so a human can tell tokens apart in a list.
    tokenPrefix: text('token_prefix').notNull(),
    createdAt: timestamp('created_at').notNull(),
    expiresAt: timestamp('expires_at'),
    lastUsedAt: timestamp('last_used_at'),
    revokedAt: timestamp('revoked_at'),
    createdByTokenId: text('created_by_token_id'),
  },
  (table) => [
    uniqueIndex('api_tokens_token_hash_unique').on(table.tokenHash),
    index('api_tokens_created_at_idx').on(table.createdAt, table.id),
  ],
);

export const photos = sqliteTable(
  'photos',
  {
    id: text('id').primaryKey(),
    url: text('url').notNull(),
    altText: text('alt_text').notNull(),
    caption: text('caption'),
    photographer: text('photographer'),
    agency: text('agency'),
    license: text('license'),
    width: integer('width'),
    height: integer('height'),
    createdAt: timestamp('created_at').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (table) => [index('photos_created_at_idx').on(table.createdAt, table.id)],
);

export interface AuthorLink {
  label: string;
  url: string;
}

export const authors = sqliteTable(
  'authors',
  {
    id: text('id').primaryKey(),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    bio: text('bio'),
    email: text('email'),
    photoId: text('photo_id').references(() => photos.id, { onDelete: 'restrict' }),
    links: text('links', { mode: 'json' })
      .$type<AuthorLink[]>()
      .notNull()
      .default(sql`'[]'`),
    createdAt: timestamp('created_at').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (table) => [
    uniqueIndex('authors_slug_unique').on(table.slug),
    index('authors_photo_id_idx').on(table.photoId),
  ],
);

export const tags = sqliteTable(
  'tags',
  {
    id: text('id').primaryKey(),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    createdAt: timestamp('created_at').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (table) => [uniqueIndex('tags_slug_unique').on(table.slug)],
);

export const tables = { apiTokens, photos, authors, tags };
export type Tables = typeof tables;
