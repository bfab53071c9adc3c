import { and, asc, desc, eq, gt, isNull, lte, or, sql } from 'drizzle-orm';
import type { Store } from '../../db/store.ts';
import { invalidFields, notFound } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { renderMarkdown } from '../../lib/markdown.ts';
import { iso, isoOrNull } from '../../schemas.ts';
import { type ContentChanged, ignoreChanges } from '../shared/changes.ts';
import { deleteUnreferenced } from '../shared/delete.ts';
import { olderThan, type TimeCursor } from '../shared/keyset.ts';
import type {
  AdminAppeal,
  CreateAppealInput,
  PublicAppeal,
  UpdateAppealInput,
} from './appeals.schemas.ts';
import { changed as contentChanges } from '../shared/content-keys.ts';

type AppealRow = Store['tables']['appeals']['$inferSelect'];

function toPublicAppeal(row: AppealRow): PublicAppeal {
  return {
    id: row.id,
    placement: row.placement,
    heading: row.heading,
    bodyHtml: row.bodyHtml,
    frequencies: row.frequencies,
    ctaLabel: row.ctaLabel,
    ctaUrl: row.ctaUrl,
    dismissLabel: row.dismissLabel,
    remindAfterDays: row.remindAfterDays,
    paymentMethods: row.paymentMethods,
    startsAt: iso(row.startsAt),
    endsAt: isoOrNull(row.endsAt),
  };
}

function toAdminAppeal(row: AppealRow): AdminAppeal {
  return {
    ...toPublicAppeal(row),
    name: row.name,
    body: row.body,
    priority: row.priority,
    active: row.active,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

export function createAppealsRepository(store: Store, changed: ContentChanged = ignoreChanges) {
  const { appeals } = store.tables;
  const ph = sql.placeholder;

  // The one a frontend should show now: active, inside its window, highest priority first.
  const activeFor = store.statement('appeals.active', (db) =>
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

    async findActive(placement: string, now: Date): Promise<PublicAppeal | undefined> {
      const [row] = await activeFor({ placement, now: now.getTime() });
      return row === undefined ? undefined : toPublicAppeal(row);
    },

    async findById(id: string): Promise<AdminAppeal | undefined> {
      const [row] = await store.db.select().from(appeals).where(eq(appeals.id, id)).limit(1);
      return row === undefined ? undefined : toAdminAppeal(row);
    },

    async list(options: { limit: number; after: TimeCursor }) {
      const rows = await store.db
        .select()
        .from(appeals)
        .where(olderThan(appeals.createdAt, appeals.id, options.after))
        .orderBy(desc(appeals.createdAt), desc(appeals.id))
        .limit(options.limit + 1);
      return { items: rows.map(toAdminAppeal), total: await store.db.$count(appeals) };
    },

    async create(input: CreateAppealInput, at: Date): Promise<AdminAppeal> {
      const [row] = await store.write((tx) =>
        tx
          .insert(appeals)
          .values({
            ...input,
            id: newId('apl', at.getTime()),
            bodyHtml: renderMarkdown(input.body).html,
            paymentMethods: input.paymentMethods ?? [],
            startsAt: new Date(input.startsAt),
            endsAt: input.endsAt == null ? null : new Date(input.endsAt),
            priority: input.priority ?? 0,
            active: input.active ?? true,
            createdAt: at,
            updatedAt: at,
          })
          .returning(),
      );
      if (row === undefined) throw new Error('insert returned no row');
      changed(contentChanges.appealChanged());
      return toAdminAppeal(row);
    },

    async update(id: string, input: UpdateAppealInput, at: Date): Promise<AdminAppeal> {
      const { startsAt, endsAt, body, ...rest } = input;
      const row = await store.write(async (tx) => {
        const [current] = await tx.select().from(appeals).where(eq(appeals.id, id)).limit(1);
        if (current === undefined) throw notFound('No appeal with that id.');
        const nextStart = startsAt === undefined ? current.startsAt : new Date(startsAt);
        const nextEnd =
          endsAt === undefined ? current.endsAt : endsAt === null ? null : new Date(endsAt);
        if (nextEnd !== null && nextEnd.getTime() <= nextStart.getTime()) {
          throw invalidFields([{ path: 'body.endsAt', message: 'must be after startsAt' }]);
        }
        const [updated] = await tx
          .update(appeals)
          .set({
            ...rest,
            ...(body === undefined ? {} : { body, bodyHtml: renderMarkdown(body).html }),
            startsAt: nextStart,
            endsAt: nextEnd,
            updatedAt: at,
          })
          .where(eq(appeals.id, id))
          .returning();
        return updated;
      });
      if (row === undefined) throw notFound('No appeal with that id.');
      changed(contentChanges.appealChanged());
      return toAdminAppeal(row);
    },

    async delete(id: string): Promise<void> {
      await deleteUnreferenced(store, { table: appeals, id: appeals.id }, id, {
        notFound: 'No appeal with that id.',
        inUse: 'The appeal is still referenced.',
      });
      changed(contentChanges.appealChanged());
    },
  };
}

export type AppealsRepository = ReturnType<typeof createAppealsRepository>;
