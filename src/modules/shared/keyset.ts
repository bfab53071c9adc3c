import { and, desc, eq, gt, lt, or, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';

// Keyset pagination on (timestamp, id): the condition for "strictly after the last row seen"
// in either direction. The cursor carries the timestamp as epoch milliseconds.

/** Where a time-ordered page resumes: below this (epoch milliseconds, id) pair. */
export type TimePosition = [number, string];
export type TimeCursor = TimePosition | null;

/** Rows before the cursor in (at DESC, id DESC) order. */
export function olderThan(at: SQLiteColumn, id: SQLiteColumn, cursor: TimeCursor): SQL | undefined {
  if (cursor === null) return undefined;
  const bound = new Date(cursor[0]);
  return or(lt(at, bound), and(eq(at, bound), lt(id, cursor[1])));
}

/** Rows after the cursor in (at ASC, id ASC) order. */
export function newerThan(at: SQLiteColumn, id: SQLiteColumn, cursor: TimeCursor): SQL | undefined {
  if (cursor === null) return undefined;
  const bound = new Date(cursor[0]);
  return or(gt(at, bound), and(eq(at, bound), gt(id, cursor[1])));
}

/** A newest-first page on (at, id): the rows below `after`, in order, `limit + 1` of them. */
export function newestFirst(
  at: SQLiteColumn,
  id: SQLiteColumn,
  page: { limit: number; after: TimeCursor },
) {
  return {
    below: olderThan(at, id, page.after),
    order: [desc(at), desc(id)],
    take: page.limit + 1,
  };
}
