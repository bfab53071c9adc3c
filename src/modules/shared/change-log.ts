import { randomUUID } from 'node:crypto';
import { asc, gt, inArray, lt, max, min, sql } from 'drizzle-orm';
import type { Db, Store } from '../../db/store.ts';
import { type ContentKey, isContentKey } from './content-keys.ts';
import { type Announcement, announce } from './outbox.ts';

// The change log (db/schema/changes.ts): appended inside every write that changes public
// content, read by each process's change feed (change-feed.ts), pruned after its retention.

const ph = sql.placeholder;

export interface LoggedChange {
  id: number;
  keys: ContentKey[];
  /** Written by this process, which told its own cache at commit. */
  own: boolean;
}

// One origin per opened Store, that is per process (or per app in a test running several).
const origins = new WeakMap<Store, string>();

function originOf(store: Store): string {
  let origin = origins.get(store);
  if (origin === undefined) {
    origin = randomUUID();
    origins.set(store, origin);
  }
  return origin;
}

/** Inside the write that makes the change: it commits, or rolls back, with it. */
export async function logChange(
  store: Store,
  tx: Db,
  keys: readonly ContentKey[],
  at: Date,
  /** Webhook events the change announces, written to the outbox in the same transaction. */
  announcement?: Announcement,
): Promise<void> {
  if (announcement !== undefined) await announce(store, tx, announcement, at);
  if (keys.length === 0) return;
  await store.dialect.appendChange(tx, at, keys, originOf(store));
}

export function createChangeLogReader(store: Store) {
  const { changeLog } = store.tables;
  const origin = originOf(store);
  const after = store.statement<
    Array<{ id: number; keys: string[]; origin: string | null }>,
    { after: number; limit: number }
  >('changeLog.after', (db) =>
    db
      .select({ id: changeLog.id, keys: changeLog.keys, origin: changeLog.origin })
      .from(changeLog)
      .where(gt(changeLog.id, ph('after')))
      .orderBy(asc(changeLog.id))
      .limit(ph('limit')),
  );
  return {
    /** Up to `limit` changes after `id`, oldest first. */
    async after(id: number, limit: number): Promise<LoggedChange[]> {
      const rows = await after({ after: id, limit });
      return rows.map((row) => ({
        id: row.id,
        keys: row.keys.filter(isContentKey),
        own: row.origin === origin,
      }));
    },

    /** The oldest and newest ids kept; null for an empty log. */
    async bounds(): Promise<{ oldest: number | null; newest: number | null }> {
      const [row] = await store.db
        .select({ oldest: min(changeLog.id), newest: max(changeLog.id) })
        .from(changeLog);
      return { oldest: row?.oldest ?? null, newest: row?.newest ?? null };
    },

    /**
     * Deletes up to `batch` changes made before `before`, never the newest one (a process that
     * starts reads its position from it). Returns how many it deleted.
     */
    async prune(before: Date, batch: number): Promise<number> {
      return store.write(async (tx) => {
        const [newest] = await tx.select({ id: max(changeLog.id) }).from(changeLog);
        const doomed = await tx
          .select({ id: changeLog.id })
          .from(changeLog)
          .where(lt(changeLog.at, before))
          .orderBy(asc(changeLog.id))
          .limit(batch);
        const ids = doomed.map((row) => row.id).filter((id) => id !== newest?.id);
        if (ids.length === 0) return 0;
        await tx.delete(changeLog).where(inArray(changeLog.id, ids));
        return ids.length;
      });
    },
  };
}

export type ChangeLogReader = ReturnType<typeof createChangeLogReader>;
