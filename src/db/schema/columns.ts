import { integer, text } from 'drizzle-orm/sqlite-core';

// Timestamps are stored as integer milliseconds since the epoch (UTC) and surface as Date.
export const timestamp = (name: string) => integer(name, { mode: 'timestamp_ms' });

/** When a record was made and last changed (fresh builders for each table). */
export const recordTimes = () => ({
  createdAt: timestamp('created_at').notNull(),
  updatedAt: timestamp('updated_at').notNull(),
});

/** The primary key and the unique, URL-safe name of a record readers reach by address. */
export const idAndSlug = () => ({
  id: text('id').primaryKey(),
  slug: text('slug').notNull(),
});
