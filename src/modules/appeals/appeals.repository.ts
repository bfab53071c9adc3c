import { and, asc, desc, eq, gt, isNull, lte, or, sql } from 'drizzle-orm';
import { logChange } from '../shared/change-log.ts';
import type { ContentKey } from '../shared/content-keys.ts';
import type { Store } from '../../db/store.ts';
import type { TimeCursor } from '../shared/keyset.ts';
import { tableRecords, type WritableFields } from '../shared/table-records.ts';

export type AppealRecord = Store['tables']['appeals']['$inferSelect'];

export type AppealFields = WritableFields<Store['tables']['appeals']>;

export function createAppealsRepository(store: Store) {
  const { appeals } = store.tables;
  const ph = sql.placeholder;

  // The one a frontend should show now: active, inside its window, highest priority first.
  const activeFor = store.statement<AppealRecord[], { placement: string; now: number }>(
    'appeals.active',
    (db) =>
      db
        .select()
        .from(appeals)
        .where(
          and(
            eq(appeals.placement, ph('placement')),
            eq(appeals.active, true),
            lte(appeals.startsAt, ph('now')),
            or(isNull(appeals.endsAt), gt(appeals.endsAt, ph('now'))),
          ),
        )
        .orderBy(desc(appeals.priority), desc(appeals.startsAt), desc(appeals.id))
        .limit(1),
  );

  // When the next appeal at a placement starts, or the next one ends.
  const nextTime = (column: typeof appeals.startsAt | typeof appeals.endsAt, name: string) =>
    store.statement(`appeals.${name}`, (db) =>
      db
        .select({ at: column })
        .from(appeals)
        .where(and(eq(appeals.placement, ph('placement')), gt(column, ph('now'))))
        .orderBy(asc(column))
        .limit(1),
    );
  const nextStart = nextTime(appeals.startsAt, 'nextStart');
  const nextEnd = nextTime(appeals.endsAt, 'nextEnd');
  const records = tableRecords(store, appeals, 'apl');

  return {
    /** The next time an appeal at this placement starts or ends: the answer may change then. */
    async nextChangeAt(placement: string, now: Date): Promise<number | null> {
      const [[start], [end]] = await Promise.all([
        nextStart({ placement, now: now.getTime() }),
        nextEnd({ placement, now: now.getTime() }),
      ]);
      const times = [start?.at?.getTime(), end?.at?.getTime()].filter(
        (time): time is number => time !== undefined,
      );
      return times.length === 0 ? null : Math.min(...times);
    },

    async findActive(placement: string, now: Date): Promise<AppealRecord | undefined> {
      const [row] = await activeFor({ placement, now: now.getTime() });
      return row;
    },

    findById: records.findById,
    count: records.count,
    delete: records.delete,

    /** Up to `limit + 1` appeals below `after`, newest first. */
    list: (page: { limit: number; after: TimeCursor }) => records.listNewest(page),

    create: (fields: AppealFields, at: Date, keys: readonly ContentKey[]) =>
      store.write(async (tx) => {
        const row = await records.insert(tx, fields, at);
        await logChange(store, tx, keys, at);
        return row;
      }),

    /**
     * Applies what `decide` makes of the current appeal, in one transaction (a rule may depend on
     * the stored window); undefined when there is no such appeal.
     */
    async update(
      id: string,
      decide: (current: AppealRecord) => Partial<AppealFields>,
      at: Date,
      keys: readonly ContentKey[],
    ): Promise<AppealRecord | undefined> {
      return store.write(async (tx) => {
        const current = await records.findById(id, tx);
        if (current === undefined) return undefined;
        const changed = await records.change(tx, id, decide(current), at);
        await logChange(store, tx, keys, at);
        return changed;
      });
    },
  };
}

export type AppealsRepository = ReturnType<typeof createAppealsRepository>;
