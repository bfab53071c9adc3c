import { customType, text } from 'drizzle-orm/pg-core';

/**
 * Timestamps are integer milliseconds since the epoch (UTC), as on SQLite, and surface as Date.
 * The same representation on both backends means a query written once compares a timestamp
 * column with the same bound number (`publishedAt <= :now`) on either, and orders it the same.
 */
export const timestamp = customType<{ data: Date; driverData: number | string }>({
  dataType: () => 'bigint',
  toDriver: (value) => value.getTime(),
  // node-postgres returns int8 as a string, since it may exceed 2^53; milliseconds never do.
  fromDriver: (value) => new Date(Number(value)),
});

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
