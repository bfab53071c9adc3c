import { and, asc, eq, gt, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { Db, Store } from '../../db/store.ts';
import { logChange } from './change-log.ts';
import type { ContentKey } from './content-keys.ts';
import { recordAnnouncement } from './outbox.ts';
import { claimSlug, slugClaims } from './slugs.ts';
import {
  type RecordEvents,
  type RecordTable,
  recordIdentity,
  tableRecords,
  type WritableFields,
} from './table-records.ts';

export type { WritableFields } from './table-records.ts';

/**
 * Records readers reach by a unique slug (tags, authors, newsletters, pages): by slug, a page in
 * slug order (its own keyset), and writes that claim a free slug inside the transaction (a taken
 * slug asked for is a `SlugTakenError`).
 */
export function sluggedRecords<T extends RecordTable & { slug: SQLiteColumn }>(
  store: Store,
  table: T,
  naming: { idPrefix: string; fallbackSlug: string; events?: RecordEvents },
) {
  type Row = T['$inferSelect'];
  const events = naming.events ?? {};
  const records = tableRecords(store, table, naming.idPrefix, events);
  /** Logs the keys, and announces `type` about `row` when the table announces that write. */
  const logWrite = (
    tx: Db,
    type: RecordEvents['created'],
    row: Row,
    at: Date,
    keys: readonly ContentKey[],
  ) =>
    logChange(
      store,
      tx,
      keys,
      at,
      type === undefined ? undefined : recordAnnouncement(type, recordIdentity(row), at, keys),
    );
  const slugClaim = slugClaims(table, naming.fallbackSlug);
  return {
    findById: records.findById,
    count: records.count,
    delete: records.delete,
    findBySlug: (slug: string) => records.first(eq(table.slug, slug)),

    /** Up to `limit + 1` records after `after` in slug order, narrowed by `where`. */
    async list(page: { limit: number; after: string | null }, where?: SQL): Promise<Row[]> {
      return (await store.db
        .select()
        .from(table)
        .where(and(page.after === null ? undefined : gt(table.slug, page.after), where))
        .orderBy(asc(table.slug))
        .limit(page.limit + 1)) as Row[];
    },

    /**
     * A new record; without a requested slug, one is made from `slugSource`. `check` runs first
     * inside the same transaction (e.g. that a referenced record exists); `keys` are logged in it.
     */
    create(
      fields: WritableFields<T> & { slug: string | undefined },
      slugSource: string,
      at: Date,
      change: { keys: readonly ContentKey[]; check?: (tx: Db) => Promise<void> },
    ): Promise<Row> {
      const { slug: requested, ...rest } = fields;
      return store.write(async (tx) => {
        await change.check?.(tx);
        const slug = await claimSlug(tx, slugClaim(requested, slugSource));
        const row = await records.insert(tx, { ...rest, slug }, at);
        await logWrite(tx, events.created, row, at, change.keys);
        return row;
      });
    },

    /**
     * Undefined when there is no such record; `check` and `keys` as for `create`; `after` runs in
     * the same transaction once the record has changed (e.g. to render what shows it again).
     */
    update(
      id: string,
      changes: Partial<WritableFields<T>> & { slug?: string | undefined },
      at: Date,
      change: {
        keys: readonly ContentKey[];
        check?: ((tx: Db) => Promise<void>) | undefined;
        after?: ((tx: Db) => Promise<void>) | undefined;
      },
    ): Promise<Row | undefined> {
      const { slug: requested, ...rest } = changes;
      return store.write(async (tx) => {
        await change.check?.(tx);
        const slug =
          requested === undefined ? undefined : await claimSlug(tx, slugClaim(requested, '', id));
        const changed = await records.change(
          tx,
          id,
          { ...rest, ...(slug === undefined ? {} : { slug }) },
          at,
        );
        if (changed !== undefined) {
          await change.after?.(tx);
          await logWrite(tx, events.updated, changed, at, change.keys);
        }
        return changed;
      });
    },
  };
}
