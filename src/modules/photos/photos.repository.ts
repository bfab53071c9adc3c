import { and, asc, eq, inArray, isNotNull, lte } from 'drizzle-orm';
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

    /** Every field of a photo shows where articles embed it: they are all rendered again. */
    update: (id: string, changes: Partial<PhotoFields>, at: Date, keys: readonly ContentKey[]) =>
      store.write(async (tx) => {
        const changed = await records.change(tx, id, changes, at);
        if (changed === undefined) return undefined;
        await embeddedChanged(tx, { kind: 'photo', id });
        await logChange(store, tx, keys, at, recordAnnouncement('photo.updated', { id }, at, keys));
        return changed;
      }),
  };
}

export type PhotosRepository = ReturnType<typeof createPhotosRepository>;
