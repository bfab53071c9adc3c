import { and, eq, type SQL } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Db, Store } from '../../db/store.ts';
import { newId } from '../../lib/ids.ts';
import type { WebhookEventType } from '../webhooks/webhooks.events.ts';
import { logChange } from './change-log.ts';
import type { ContentKey } from './content-keys.ts';
import { newestFirst, type TimeCursor } from './keyset.ts';
import { recordAnnouncement } from './outbox.ts';

/** A table of records with an id and their creation and change times: every editor resource. */
export type RecordTable = SQLiteTable & {
  id: SQLiteColumn;
  createdAt: SQLiteColumn;
  updatedAt: SQLiteColumn;
};

/** What a caller writes: every column but the ones these helpers manage. */
export type WritableFields<T extends RecordTable> = Omit<
  T['$inferInsert'],
  'id' | 'slug' | 'createdAt' | 'updatedAt'
>;

/** The webhook events a table's writes announce (outbox.ts), where its records announce any. */
export interface RecordEvents {
  created?: WebhookEventType;
  updated?: WebhookEventType;
  deleted?: WebhookEventType;
}

/** What an event says of the record it is about: its id, and its slug where it has one. */
export function recordIdentity(row: object): { id: string; slug?: string } {
  const id = 'id' in row ? String(row.id) : '';
  return 'slug' in row && typeof row.slug === 'string' ? { id, slug: row.slug } : { id };
}

/**
 * The reads and writes every record table has, written once: one by id or by a condition, a page
 * newest first on (createdAt, id), the count, an insert stamped with a new id and times, an update
 * and a delete. Drizzle cannot infer rows through a generic table, so the row type is asserted
 * here, once, from the table's own `$inferSelect`.
 */
export function tableRecords<T extends RecordTable>(
  store: Store,
  table: T,
  idPrefix: string,
  events: RecordEvents = {},
) {
  type Row = T['$inferSelect'];
  const first = async (where: SQL, db: Db = store.db): Promise<Row | undefined> => {
    const rows = (await db.select().from(table).where(where).limit(1)) as Row[];
    return rows[0];
  };
  return {
    first,
    findById: (id: string, db: Db = store.db) => first(eq(table.id, id), db),

    /**
     * Up to `limit + 1` records below `after`, newest first by creation (or by the last change),
     * narrowed by `where`.
     */
    async listNewest(
      page: { limit: number; after: TimeCursor },
      where?: SQL,
      by: 'createdAt' | 'updatedAt' = 'createdAt',
    ): Promise<Row[]> {
      const { below, order, take } = newestFirst(table[by], table.id, page);
      return (await store.db
        .select()
        .from(table)
        .where(and(below, where))
        .orderBy(...order)
        .limit(take)) as Row[];
    },

    count: (where?: SQL) => store.db.$count(table, where),

    /** Inserts inside `tx` with a new id and both times set to `at`. */
    async insert(tx: Db, fields: object, at: Date): Promise<Row> {
      const values = { ...fields, id: newId(idPrefix, at.getTime()), createdAt: at, updatedAt: at };
      const [row] = (await tx
        .insert(table)
        .values(values as T['$inferInsert'])
        .returning()) as Row[];
      if (row === undefined) throw new Error('insert returned no row');
      return row;
    },

    /** Updates inside `tx` and stamps `updatedAt`; undefined when there is no such record. */
    async change(tx: Db, id: string, changes: object, at: Date): Promise<Row | undefined> {
      const [row] = (await tx
        .update(table)
        .set({ ...changes, updatedAt: at } as Partial<T['$inferInsert']>)
        .where(eq(table.id, id))
        .returning()) as Row[];
      return row;
    },

    /**
     * Deletes a record nothing references; false when there was none. The foreign keys (ON DELETE
     * RESTRICT) decide what "in use" means, atomically: their refusal is a `ConstraintError` of
     * kind `foreign_key` for the service to explain. `keys` are logged in the same transaction, and
     * `alsoDo` runs in it with the row that was deleted.
     */
    async delete(
      id: string,
      at: Date,
      keys: readonly ContentKey[],
      alsoDo?: (tx: Db, deleted: Row) => Promise<void>,
    ): Promise<boolean> {
      return store.write(async (tx) => {
        const [deleted] = (await tx.delete(table).where(eq(table.id, id)).returning()) as Row[];
        if (deleted === undefined) return false;
        await alsoDo?.(tx, deleted);
        await logChange(
          store,
          tx,
          keys,
          at,
          events.deleted === undefined
            ? undefined
            : recordAnnouncement(events.deleted, recordIdentity(deleted), at, keys),
        );
        return true;
      });
    },
  };
}
