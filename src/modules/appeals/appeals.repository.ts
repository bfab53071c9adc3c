import { and, asc, desc, eq, gt, isNull, lte, or, sql } from 'drizzle-orm';
import type { Store } from '../../db/store.ts';
import { newId } from '../../lib/ids.ts';
import { deleteUnreferenced } from '../shared/delete.ts';
import { olderThan, type TimeCursor } from '../shared/keyset.ts';

export type AppealRecord = Store['tables']['appeals']['$inferSelect'];

export type AppealFields = Omit<AppealRecord, 'id' | 'createdAt' | 'updatedAt'>;

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

  const nextStart = store.statement('appeals.nextStart', (db) =>
    db
      .select({ at: appeals.startsAt })
      .from(appeals)
      .where(and(eq(appeals.placement, ph('placement')), gt(appeals.startsAt, ph('now'))))
      .orderBy(asc(appeals.startsAt))
      .limit(1),
  );
  const nextEnd = store.statement('appeals.nextEnd', (db) =>
    db
      .select({ at: appeals.endsAt })
      .from(appeals)
      .where(and(eq(appeals.placement, ph('placement')), gt(appeals.endsAt, ph('now'))))
      .orderBy(asc(appeals.endsAt))
      .limit(1),
  );

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

    async findById(id: string): Promise<AppealRecord | undefined> {
      const [row] = await store.db.select().from(appeals).where(eq(appeals.id, id)).limit(1);
      return row;
    },

    /** Up to `limit + 1` appeals below `after`, newest first. */
    list(page: { limit: number; after: TimeCursor }): Promise<AppealRecord[]> {
      return store.db
        .select()
        .from(appeals)
        .where(olderThan(appeals.createdAt, appeals.id, page.after))
        .orderBy(desc(appeals.createdAt), desc(appeals.id))
        .limit(page.limit + 1);
    },

    count: () => store.db.$count(appeals),

    async create(fields: AppealFields, at: Date): Promise<AppealRecord> {
      const [row] = await store.write((tx) =>
        tx
          .insert(appeals)
          .values({ ...fields, id: newId('apl', at.getTime()), createdAt: at, updatedAt: at })
          .returning(),
      );
      if (row === undefined) throw new Error('insert returned no row');
      return row;
    },

    /**
     * Applies what `decide` makes of the current appeal, in one transaction (a rule may depend on
     * the stored window); undefined when there is no such appeal.
     */
    async update(
      id: string,
      decide: (current: AppealRecord) => Partial<AppealFields>,
      at: Date,
    ): Promise<AppealRecord | undefined> {
      return store.write(async (tx) => {
        const [current] = await tx.select().from(appeals).where(eq(appeals.id, id)).limit(1);
        if (current === undefined) return undefined;
        const [updated] = await tx
          .update(appeals)
          .set({ ...decide(current), updatedAt: at })
          .where(eq(appeals.id, id))
          .returning();
        return updated;
      });
    },

    /** False when there is no such appeal. */
    delete: (id: string) => deleteUnreferenced(store, { table: appeals, id: appeals.id }, id),
  };
}

export type AppealsRepository = ReturnType<typeof createAppealsRepository>;
