import { z } from 'zod';
import { invalidFields } from './errors.ts';
import { decodeCursor, encodeCursor } from './lib/cursor.ts';
import type { TimePosition } from './modules/shared/keyset.ts';
import { defaultPageSize } from './schemas.ts';

export type { TimePosition };

// The one cursor codec for keyset lists. A cursor holds the sort key of the last row shown;
// services fetch `limit + 1` rows, and the extra row only tells whether another page exists.

/** The orders lists walk: by slug (unique, its own keyset), or newest first on (time, id). */
export type ListOrder = 'slug' | 'createdAt' | 'updatedAt';

export type After<O extends ListOrder> = O extends 'slug' ? string : TimePosition;

export interface PageRequest<O extends ListOrder> {
  limit: number;
  after: After<O> | null;
}

/** What an item must carry for its position in a list of that order. */
export type Positioned<O extends ListOrder> = O extends 'slug'
  ? { slug: string }
  : O extends 'createdAt'
    ? { id: string; createdAt: string }
    : { id: string; updatedAt: string };

export interface PageMeta {
  limit: number;
  nextCursor: string | null;
}

const slugShape = z.tuple([z.string()]);
const timeShape = z.tuple([z.number().int(), z.string()]);

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

export const pageLimit = (limit: number | undefined): number => limit ?? defaultPageSize;

/** The page a `?limit=&cursor=` query asks for in a list of `order`. */
export function readPage<O extends ListOrder>(
  order: O,
  query: { limit?: number | undefined; cursor?: string | undefined },
): PageRequest<O> {
  const limit = pageLimit(query.limit);
  if (order === 'slug') {
    const after = readCursor(query.cursor, slugShape);
    // The conditional type cannot narrow on a runtime check of `order`; the shapes match it.
    return { limit, after: after === null ? null : after[0] } as PageRequest<O>;
  }
  return { limit, after: readCursor(query.cursor, timeShape) } as PageRequest<O>;
}

function positionOf(order: ListOrder, item: Positioned<ListOrder>): Array<string | number> {
  if (order === 'slug' && 'slug' in item) return [item.slug];
  if (order === 'createdAt' && 'createdAt' in item) return [Date.parse(item.createdAt), item.id];
  if (order === 'updatedAt' && 'updatedAt' in item) return [Date.parse(item.updatedAt), item.id];
  throw new Error(`a list item has no ${order} position`);
}

/** The shown items of `rows` (up to `limit + 1` fetched) and the cursor to the next page. */
export function pageOf<O extends ListOrder, T extends Positioned<O>>(
  order: O,
  request: PageRequest<O>,
  rows: readonly T[],
): { items: T[]; meta: PageMeta } {
  const items = rows.slice(0, request.limit);
  const last = items.at(-1);
  const nextCursor =
    rows.length > request.limit && last !== undefined
      ? encodeCursor(positionOf(order, last))
      : null;
  return { items, meta: { limit: request.limit, nextCursor } };
}
