import { index, json, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { idAndSlug, recordTimes } from './columns.ts';
import { photos } from './photos.ts';
import { type AuthorLink } from '../schema/authors.ts';

// Authors: bylines, not logins.

export const authors = pgTable(
  'authors',
  {
    ...idAndSlug(),
    name: text('name').notNull(),
    bio: text('bio'),
    email: text('email'),
    photoId: text('photo_id').references(() => photos.id, { onDelete: 'restrict' }),
    links: json('links').$type<AuthorLink[]>().notNull().default([]),
    ...recordTimes(),
  },
  (table) => [
    uniqueIndex('authors_slug_unique').on(table.slug),
    index('authors_photo_id_idx').on(table.photoId),
  ],
);
