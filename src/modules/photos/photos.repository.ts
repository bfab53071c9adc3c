import { desc, eq, inArray } from 'drizzle-orm';
import type { Db, Store } from '../../db/store.ts';
import { newId } from '../../lib/ids.ts';
import { deleteUnreferenced } from '../shared/delete.ts';
import { olderThan, type TimeCursor } from '../shared/keyset.ts';

export type PhotoRecord = Store['tables']['photos']['$inferSelect'];

/** A photo's stored fields; the credit is kept as its two parts. */
export type PhotoFields = Omit<PhotoRecord, 'id' | 'createdAt' | 'updatedAt'>;

export function createPhotosRepository(store: Store) {
  const { photos } = store.tables;

  return {
    async findById(id: string): Promise<PhotoRecord | undefined> {
      const [row] = await store.db.select().from(photos).where(eq(photos.id, id)).limit(1);
      return row;
    },

    async findByUrl(url: string): Promise<PhotoRecord | undefined> {
      const [row] = await store.db.select().from(photos).where(eq(photos.url, url)).limit(1);
      return row;
    },

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
    list(page: { limit: number; after: TimeCursor }): Promise<PhotoRecord[]> {
      return store.db
        .select()
        .from(photos)
        .where(olderThan(photos.createdAt, photos.id, page.after))
        .orderBy(desc(photos.createdAt), desc(photos.id))
        .limit(page.limit + 1);
    },

    count: () => store.db.$count(photos),

    async create(fields: PhotoFields, at: Date): Promise<PhotoRecord> {
      const [row] = await store.write((tx) =>
        tx
          .insert(photos)
          .values({ ...fields, id: newId('pho', at.getTime()), createdAt: at, updatedAt: at })
          .returning(),
      );
      if (row === undefined) throw new Error('insert returned no row');
      return row;
    },

    async update(
      id: string,
      changes: Partial<PhotoFields>,
      at: Date,
    ): Promise<PhotoRecord | undefined> {
      const [row] = await store.write((tx) =>
        tx
          .update(photos)
          .set({ ...changes, updatedAt: at })
          .where(eq(photos.id, id))
          .returning(),
      );
      return row;
    },

    /** False when there is no such photo; a `ConstraintError` while an author or article uses it. */
    delete: (id: string) => deleteUnreferenced(store, { table: photos, id: photos.id }, id),
  };
}

export type PhotosRepository = ReturnType<typeof createPhotosRepository>;
