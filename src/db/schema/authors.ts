import { sql } from 'drizzle-orm';
import { index, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { idAndSlug, recordTimes } from './columns.ts';
import { photos } from './photos.ts';

// Authors: bylines, not logins.

export interface AuthorLink {
  label: string;
  url: string;
}

export const authors = sqliteTable(
  'authors',
  {
    ...idAndSlug(),
    name: text('name').notNull(),
    bio: text('bio'),
    email: text('email'),
    photoId: text('photo_id').references(() => photos.id, { onDelete: 'restrict' }),
    links: text('links', { mode: 'json' })
      .$type<AuthorLink[]>()
      .notNull()
      .default(sql`'[]'`),
    ...recordTimes(),
  },
  (table) => [
    uniqueIndex('authors_slug_unique').on(table.slug),
    index('authors_photo_id_idx').on(table.photoId),
  ],
);
