import { index, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { recordTimes, timestamp } from './columns.ts';

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
    // Not to be shown to readers before this time (agency pictures under embargo); cleared when
    // the embargo lifts (photos.lifts.ts), which renders what shows the photo again.
    embargoUntil: timestamp('embargo_until'),
    ...recordTimes(),
  },
  (table) => [
    index('photos_created_at_idx').on(table.createdAt, table.id),
    index('photos_embargo_until_idx').on(table.embargoUntil),
  ],
);
