import { and, asc, eq, inArray, isNotNull, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { PhotoVariant } from '../../db/schema/photo-files.ts';
import type { Db, Store } from '../../db/store.ts';
import { logChange } from '../shared/change-log.ts';
import type { ContentKey } from '../shared/content-keys.ts';
import type { EmbeddedChanged } from '../shared/embedded-changes.ts';
import { filesPrefix, uploadOfKey } from './photos.images.ts';
import { recordAnnouncement } from '../shared/outbox.ts';
import { tableRecords, type WritableFields } from '../shared/table-records.ts';

export type PhotoRecord = Store['tables']['photos']['$inferSelect'];

/** A photo's stored fields; the credit is kept as its two parts. */
export type PhotoFields = WritableFields<Store['tables']['photos']>;

/**
 * How long files no photo uses any more stay in media storage: longer than a rendition job's
 * lease (one still running elsewhere finishes with them), and long enough for pages and CDNs
 * that still point at the old URLs to be rendered again and purged.
 */
export const filesKeptMs = 60 * 60_000;

/**
 * How long a process removing files holds its claim on them: far longer than a removal takes,
 * and short enough that a process dying mid-way delays the next attempt by a minute only.
 */
const removalClaimMs = 60_000;

export function createPhotosRepository(store: Store, embeddedChanged: EmbeddedChanged) {
  const { photos, mediaDeletions } = store.tables;
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

  /** Media keys (or whole prefixes) to remove `filesKeptMs` after `at`, in the caller's write. */
  async function discard(tx: Db, keys: readonly string[], at: Date): Promise<void> {
    if (keys.length === 0) return;
    const dueAt = new Date(at.getTime() + filesKeptMs);
    await tx
      .insert(mediaDeletions)
      .values([...new Set(keys)].map((key) => ({ key, dueAt })))
      .onConflictDoUpdate({ target: mediaDeletions.key, set: { dueAt } });
  }

  /** A removal no process holds a claim on at `now`. */
  const unclaimedAt = (now: Date) =>
    or(isNull(mediaDeletions.claimedUntil), lte(mediaDeletions.claimedUntil, now));

  /** Announces that the photo changed and renders what shows it, in the caller's write. */
  async function photoChanged(tx: Db, id: string, at: Date, keys: readonly ContentKey[]) {
    await embeddedChanged(tx, { kind: 'photo', id });
    await logChange(store, tx, keys, at, recordAnnouncement('photo.updated', { id }, at, keys));
  }

  return {
    findById: records.findById,
    count: records.count,
    /** An uploaded photo's files go `filesKeptMs` later. */
    delete: (id: string, at: Date, keys: readonly ContentKey[]) =>
      records.delete(id, at, keys, (tx, deleted) =>
        deleted.sha256 === null
          ? Promise.resolve()
          : discard(tx, [filesPrefix(deleted.sha256)], at),
      ),
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
        await photoChanged(tx, id, now, keys);
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
        await photoChanged(tx, id, at, keys);
        return changed;
      }),

    /**
     * Gives a photo another uploaded file: `fieldsFor` says what changes, from the photo as it is
     * in this transaction; new renditions are asked for, and the old file's are discarded.
     * Undefined when there is no such photo.
     */
    replaceFile: (
      id: string,
      fieldsFor: (current: PhotoRecord) => Partial<PhotoFields>,
      at: Date,
      keys: readonly ContentKey[],
    ) =>
      store.write(async (tx) => {
        const current = await records.findById(id, tx);
        if (current === undefined) return undefined;
        const fields = fieldsFor(current);
        const changed = await records.change(tx, id, { ...fields, ...variantsRequested }, at);
        if (changed === undefined) return undefined;
        if (current.sha256 !== null && current.sha256 !== changed.sha256)
          await discard(tx, [filesPrefix(current.sha256)], at);
        await photoChanged(tx, id, at, keys);
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
        const [before] = await tx
          .select({ variants: photos.variants })
          .from(photos)
          .where(and(eq(photos.id, id), eq(photos.variantsRequest, request)));
        if (before === undefined) return false;
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
        // Renditions the new set does not have (crops around the old focal point) go later.
        const made = new Set(variants.map((variant) => variant.key));
        const replaced = (before.variants ?? []).filter((variant) => !made.has(variant.key));
        await discard(
          tx,
          replaced.map((variant) => variant.key),
          at,
        );
        await photoChanged(tx, id, at, keys);
        return true;
      }),

    /** Files a job made for renditions nobody wants any more (asked again, or the photo went). */
    discardFiles: (keys: readonly string[], at: Date) => store.write((tx) => discard(tx, keys, at)),

    /**
     * Claims the media files due for removal at `now` (a batch) for this process to remove, and
     * forgets those a live photo uses again by now (they stay): a prefix is in use while a photo
     * has that upload's hash, a single key while a photo's file or renditions name it. A key
     * another process claimed is left to it until its claim runs out.
     */
    async claimDeletions(now: Date, limit = 100): Promise<string[]> {
      const due = await store.db
        .select({ key: mediaDeletions.key })
        .from(mediaDeletions)
        .where(and(lte(mediaDeletions.dueAt, now), unclaimedAt(now)))
        .orderBy(asc(mediaDeletions.dueAt))
        .limit(limit);
      if (due.length === 0) return [];
      const hashes = [...new Set(due.flatMap(({ key }) => uploadOfKey(key) ?? []))];
      const live =
        hashes.length === 0
          ? []
          : await store.db
              .select({ sha256: photos.sha256, fileKey: photos.fileKey, variants: photos.variants })
              .from(photos)
              .where(inArray(photos.sha256, hashes));
      const used = new Set(
        live.flatMap((photo) => [
          ...(photo.sha256 === null ? [] : [filesPrefix(photo.sha256)]),
          ...(photo.fileKey === null ? [] : [photo.fileKey]),
          ...(photo.variants ?? []).map((variant) => variant.key),
        ]),
      );
      const kept = due.filter(({ key }) => used.has(key)).map(({ key }) => key);
      const free = due.filter(({ key }) => !used.has(key)).map(({ key }) => key);
      // Only rows as they were read: a writer takes its keys back before writing them
      // (reserveFiles), another process may have claimed some, and a key discarded again since is
      // due later. On PostgreSQL these statements wait for, then re-read, rows others hold.
      const stillDue = (keys: string[]) =>
        and(inArray(mediaDeletions.key, keys), lte(mediaDeletions.dueAt, now), unclaimedAt(now));
      return store.write(async (tx) => {
        if (kept.length > 0) await tx.delete(mediaDeletions).where(stillDue(kept));
        if (free.length === 0) return [];
        const claimed = await tx
          .update(mediaDeletions)
          .set({ claimedUntil: new Date(now.getTime() + removalClaimMs) })
          .where(stillDue(free))
          .returning({ key: mediaDeletions.key });
        return claimed.map(({ key }) => key);
      });
    },

    /** Claimed removals done: their records go. */
    async forgetDeletions(keys: readonly string[]): Promise<void> {
      if (keys.length === 0) return;
      await store.write((tx) =>
        tx.delete(mediaDeletions).where(inArray(mediaDeletions.key, [...keys])),
      );
    },

    /** Claimed removals that failed: the next run tries them again. */
    async releaseDeletions(keys: readonly string[]): Promise<void> {
      if (keys.length === 0) return;
      await store.write((tx) =>
        tx
          .update(mediaDeletions)
          .set({ claimedUntil: null })
          .where(inArray(mediaDeletions.key, [...keys])),
      );
    },

    /**
     * Before files are written again under keys that may be due for removal (the same upload
     * again, a crop around a focal point used before): cancels their pending removals, and
     * answers false while a process is removing any of them (the writer waits and asks again).
     */
    async reserveFiles(keys: readonly string[], now: Date): Promise<boolean> {
      if (keys.length === 0) return true;
      const ours = inArray(mediaDeletions.key, [...keys]);
      return store.write(async (tx) => {
        await tx.delete(mediaDeletions).where(and(ours, unclaimedAt(now)));
        const removing = await tx
          .select({ key: mediaDeletions.key })
          .from(mediaDeletions)
          .where(ours)
          .limit(1);
        return removing.length === 0;
      });
    },

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
