import { and, asc, eq, inArray, isNotNull, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { PhotoVariant } from '../../db/schema/photo-files.ts';
import type { Db, Store } from '../../db/store.ts';
import { logChange } from '../shared/change-log.ts';
import type { ContentKey } from '../shared/content-keys.ts';
import type { EmbeddedChanged } from '../shared/embedded-changes.ts';
import { recordAnnouncement } from '../shared/outbox.ts';
import { tableRecords, type WritableFields } from '../shared/table-records.ts';

export type PhotoRecord = Store['tables']['photos']['$inferSelect'];

/** A photo's stored fields; the credit is kept as its two parts. */
export type PhotoFields = WritableFields<Store['tables']['photos']>;

export function createPhotosRepository(store: Store, embeddedChanged: EmbeddedChanged) {
  const { photos } = store.tables;
  // Asks the background job for new renditions; a job still running for an older request finds
  // the number moved on and discards its work.
  const variantsRequested = {
    variantsState: 'pending',
    variantsRequest: sql`${photos.variantsRequest} + 1`,
    variantsAttempts: 0,
    variantsLeaseUntil: null,
    variantsError: null,
  } as const;
  const records = tableRecords(store, photos, 'pho', { deleted: 'photo.deleted' });

  return {
    findById: records.findById,
    count: records.count,
    delete: records.delete,
    findByUrl: (url: string) => records.first(eq(photos.url, url)),

    /** One query for any number of ids; used to embed photos in lists without N+1. */
    async findByIds(ids: readonly string[], db: Db = store.db): Promise<Map<string, PhotoRecord>> {
      if (ids.length === 0) return new Map();
      const rows = await db
        .select()
        .from(photos)
        .where(inArray(photos.id, [...new Set(ids)]));
      return new Map(rows.map((row) => [row.id, row]));
    },

    /** Up to `limit + 1` photos below `after`, newest first. */
    list: (page: { limit: number; after: [number, string] | null }) => records.listNewest(page),

    /** Nothing public shows a new photo: there is no change to log. */
    create: (fields: PhotoFields, at: Date) => store.write((tx) => records.insert(tx, fields, at)),

    /** Photos whose embargo has run out by `now`, soonest first (a batch at a time). */
    async embargoesDue(now: Date, limit = 100): Promise<string[]> {
      const rows = await store.db
        .select({ id: photos.id })
        .from(photos)
        .where(and(isNotNull(photos.embargoUntil), lte(photos.embargoUntil, now)))
        .orderBy(asc(photos.embargoUntil))
        .limit(limit);
      return rows.map((row) => row.id);
    },

    /**
     * Clears a due embargo and renders what shows the photo, in one write; false when another
     * process lifted it first (or it was moved or cleared meanwhile).
     */
    lift: (id: string, now: Date, keys: readonly ContentKey[]) =>
      store.write(async (tx) => {
        const cleared = await tx
          .update(photos)
          .set({ embargoUntil: null })
          .where(and(eq(photos.id, id), lte(photos.embargoUntil, now)))
          .returning({ id: photos.id });
        if (cleared.length === 0) return false;
        await embeddedChanged(tx, { kind: 'photo', id });
        await logChange(
          store,
          tx,
          keys,
          now,
          recordAnnouncement('photo.updated', { id }, now, keys),
        );
        return true;
      }),

    /**
     * Every field of a photo shows where articles embed it: they are all rendered again. With
     * `newVariants`, an upload's renditions are asked for again (a moved focal point).
     */
    update: (
      id: string,
      changes: Partial<PhotoFields>,
      at: Date,
      keys: readonly ContentKey[],
      newVariants = false,
    ) =>
      store.write(async (tx) => {
        const changed = await records.change(
          tx,
          id,
          newVariants ? { ...changes, ...variantsRequested } : changes,
          at,
        );
        if (changed === undefined) return undefined;
        await embeddedChanged(tx, { kind: 'photo', id });
        await logChange(store, tx, keys, at, recordAnnouncement('photo.updated', { id }, at, keys));
        return changed;
      }),

    /** The photo uploaded from exactly these bytes, if there is one. */
    findBySha256: (sha256: string) => records.first(eq(photos.sha256, sha256)),

    /**
     * An upload's background job, if one is due: the photo is leased to this caller for
     * `leaseMs` (another process takes it over if this one dies), and the attempt is counted.
     */
    claimVariants: (now: Date, leaseMs: number) =>
      store.write(async (tx) => {
        const due = and(
          eq(photos.variantsState, 'pending'),
          or(isNull(photos.variantsLeaseUntil), lt(photos.variantsLeaseUntil, now)),
        );
        const [next] = await tx
          .select({ id: photos.id })
          .from(photos)
          .where(due)
          .orderBy(asc(photos.updatedAt))
          .limit(1);
        if (next === undefined) return undefined;
        const [claimed] = await tx
          .update(photos)
          .set({
            variantsLeaseUntil: new Date(now.getTime() + leaseMs),
            variantsAttempts: sql`${photos.variantsAttempts} + 1`,
          })
          .where(and(eq(photos.id, next.id), due))
          .returning();
        return claimed;
      }),

    /**
     * Stores the renditions a job made and renders what shows the photo, in one write; false
     * when the photo was deleted or its renditions were asked for again meanwhile.
     */
    finishVariants: (
      id: string,
      request: number,
      variants: PhotoVariant[],
      at: Date,
      keys: readonly ContentKey[],
    ) =>
      store.write(async (tx) => {
        const done = await tx
          .update(photos)
          .set({
            variants,
            variantsState: 'ready',
            variantsLeaseUntil: null,
            variantsAttempts: 0,
            variantsError: null,
            updatedAt: at,
          })
          .where(and(eq(photos.id, id), eq(photos.variantsRequest, request)))
          .returning({ id: photos.id });
        if (done.length === 0) return false;
        await embeddedChanged(tx, { kind: 'photo', id });
        await logChange(store, tx, keys, at, recordAnnouncement('photo.updated', { id }, at, keys));
        return true;
      }),

    /** A job failed: the lease is released for a retry, or the state is `failed` for good. */
    async failVariants(id: string, request: number, error: string, final: boolean): Promise<void> {
      await store.write((tx) =>
        tx
          .update(photos)
          .set({
            variantsLeaseUntil: null,
            variantsError: error,
            ...(final ? { variantsState: 'failed' } : {}),
          })
          .where(and(eq(photos.id, id), eq(photos.variantsRequest, request))),
      );
    },
  };
}

export type PhotosRepository = ReturnType<typeof createPhotosRepository>;
