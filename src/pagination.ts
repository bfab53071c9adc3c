import { z } from 'zod';
import { invalidFields } from './errors.ts';
import { decodeCursor, encodeCursor } from './lib/cursor.ts';
import { defaultPageSize } from './schemas.ts';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Decodes `?cursor=` against the shape the list issues, or answers 400 naming the parameter. */
export function readCursor<S extends z.ZodType>(
  cursor: string | undefined,
  shape: S,
): z.infer<S> | null {
  if (cursor === undefined) return null;
  const parsed = shape.safeParse(decodeCursor(cursor));
  if (!parsed.success) {
    throw invalidFields([{ path: 'query.cursor', message: 'Not a cursor issued by this list.' }]);
  }
  return parsed.data;
}

/**
 * Repositories fetch `limit + 1` rows; the extra row only tells whether another page exists.
 * The cursor holds the sort key of the last row shown.
 */
export function toPage<T>(
  rows: T[],
  limit: number,
  cursorOf: (row: T) => ReadonlyArray<string | number>,
): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  const nextCursor =
    rows.length > limit && last !== undefined ? encodeCursor(cursorOf(last)) : null;
  return { items, nextCursor };
}

export const pageLimit = (limit: number | undefined): number => limit ?? defaultPageSize;

const slugCursor = z.tuple([z.string()]);

/**
 * One page of a list ordered by slug (unique, so it is its own keyset): used by authors, tags and
 * newsletters. `fetch` returns up to `limit + 1` rows and, for editor lists, the total.
 */
export async function slugPage<T extends { slug: string }>(
  query: { limit?: number | undefined; cursor?: string | undefined },
  fetch: (page: {
    limit: number;
    afterSlug: string | null;
  }) => Promise<{ items: T[]; total?: number | undefined }>,
) {
  const limit = pageLimit(query.limit);
  const after = readCursor(query.cursor, slugCursor);
  const { items, total } = await fetch({ limit, afterSlug: after?.[0] ?? null });
  const page = toPage(items, limit, (item) => [item.slug]);
  return { items: page.items, meta: { limit, nextCursor: page.nextCursor }, total: total ?? 0 };
}
