import { and, asc, eq, gt, type SQL } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Db, Store } from '../../db/store.ts';
import { newId } from '../../lib/ids.ts';
import { deleteUnreferenced } from './delete.ts';
import { claimSlug, slugClaims } from './slugs.ts';

/** A table of records readers reach by a unique slug: tags, authors, newsletters, pages. */
type SluggedTable = SQLiteTable & {
  id: SQLiteColumn;
  slug: SQLiteColumn;
  createdAt: SQLiteColumn;
  updatedAt: SQLiteColumn;
};

/** What a caller writes: every column but the ones this helper manages. */
export type WritableFields<T extends SluggedTable> = Omit<
  T['$inferInsert'],
  'id' | 'slug' | 'createdAt' | 'updatedAt'
>;

/**
 * The reads and writes every slugged record has, written once: by id, by slug, a page in slug
 * order (its own keyset), and writes that claim a free slug inside the transaction (a taken
 * slug asked for is a `SlugTakenError`). Drizzle cannot infer rows through a generic table, so
 * the row type is asserted here, once, from the table's own `$inferSelect`.
 */
export function sluggedRecords<T extends SluggedTable>(
  store: Store,
  table: T,
  naming: { idPrefix: string; fallbackSlug: string },
) {
  type Row = T['$inferSelect'];
  const slugClaim = slugClaims(table, naming.fallbackSlug);
  const first = async (where: SQL): Promise<Row | undefined> => {
    const rows = (await store.db.select().from(table).where(where).limit(1)) as Row[];
    return rows[0];
  };

  return {
    findById: (id: string) => first(eq(table.id, id)),
    findBySlug: (slug: string) => first(eq(table.slug, slug)),

    /** Up to `limit + 1` records after `after` in slug order, narrowed by `where`. */
    async list(page: { limit: number; after: string | null }, where?: SQL): Promise<Row[]> {
      return (await store.db
        .select()
        .from(table)
        .where(and(page.after === null ? undefined : gt(table.slug, page.after), where))
        .orderBy(asc(table.slug))
        .limit(page.limit + 1)) as Row[];
    },

    count: () => store.db.$count(table),

    /**
     * A new record; without a requested slug, one is made from `slugSource`. `check` runs first
     * inside the same transaction (e.g. that a referenced record exists).
     */
    async create(
      fields: WritableFields<T> & { slug: string | undefined },
      slugSource: string,
      at: Date,
      check?: (tx: Db) => Promise<void>,
    ): Promise<Row> {
      const { slug: requested, ...rest } = fields;
      const [row] = (await store.write(async (tx) => {
        await check?.(tx);
        const slug = await claimSlug(tx, slugClaim(requested, slugSource));
        const values = {
          ...rest,
          id: newId(naming.idPrefix, at.getTime()),
          slug,
          createdAt: at,
          updatedAt: at,
        };
        return tx
          .insert(table)
          .values(values as T['$inferInsert'])
          .returning();
      })) as Row[];
      if (row === undefined) throw new Error('insert returned no row');
      return row;
    },

    /** Undefined when there is no such record; `check` as for `create`. */
    async update(
      id: string,
      changes: Partial<WritableFields<T>> & { slug?: string | undefined },
      at: Date,
      check?: (tx: Db) => Promise<void>,
    ): Promise<Row | undefined> {
      const { slug: requested, ...rest } = changes;
      const [row] = (await store.write(async (tx) => {
        await check?.(tx);
        const slug =
          requested === undefined ? undefined : await claimSlug(tx, slugClaim(requested, '', id));
        const values = { ...rest, ...(slug === undefined ? {} : { slug }), updatedAt: at };
        return tx
          .update(table)
          .set(values as Partial<T['$inferInsert']>)
          .where(eq(table.id, id))
          .returning();
      })) as Row[];
      return row;
    },

    /** False when there is no such record; a `ConstraintError` while something references it. */
    delete: (id: string) => deleteUnreferenced(store, { table, id: table.id }, id),
  };
}
