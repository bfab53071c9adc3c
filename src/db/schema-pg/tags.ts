import { pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { idAndSlug, recordTimes } from './columns.ts';

// Tags: topics; an article's first tag is its primary tag.

export const tags = pgTable(
  'tags',
  {
    ...idAndSlug(),
    name: text('name').notNull(),
    description: text('description'),
    ...recordTimes(),
  },
  (table) => [uniqueIndex('tags_slug_unique').on(table.slug)],
);
