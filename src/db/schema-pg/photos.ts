import { index, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { recordTimes } from './columns.ts';

// Photos: credited images (the file lives elsewhere; Broadsheet stores its URL).

export const photos = pgTable(
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
    ...recordTimes(),
  },
  (table) => [index('photos_created_at_idx').on(table.createdAt, table.id)],
);
