import { desc, eq, inArray } from 'drizzle-orm';
import type { Db, Store } from '../../db/store.ts';
import { notFound } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { type ContentChanged, ignoreChanges } from '../shared/changes.ts';
import { deleteUnreferenced } from '../shared/delete.ts';
import { iso } from '../../schemas.ts';
import {
  type CreatePhotoInput,
  creditLine,
  type Photo,
  type UpdatePhotoInput,
} from './photos.schemas.ts';
import { olderThan } from '../shared/keyset.ts';
import { changed as contentChanges } from '../shared/content-keys.ts';

type PhotoRow = Store['tables']['photos']['$inferSelect'];

export function toPhoto(row: PhotoRow): Photo {
  return {
    id: row.id,
    url: row.url,
    altText: row.altText,
    caption: row.caption,
    credit: {
      photographer: row.photographer,
      agency: row.agency,
      line: creditLine(row.photographer, row.agency),
    },
    license: row.license,
    width: row.width,
    height: row.height,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

export function createPhotosRepository(store: Store, changed: ContentChanged = ignoreChanges) {
  const { photos } = store.tables;

  return {
    async findById(id: string): Promise<Photo | undefined> {
      const [row] = await store.db.select().from(photos).where(eq(photos.id, id)).limit(1);
      return row === undefined ? undefined : toPhoto(row);
    },

    async findByUrl(url: string): Promise<Photo | undefined> {
      const [row] = await store.db.select().from(photos).where(eq(photos.url, url)).limit(1);
      return row === undefined ? undefined : toPhoto(row);
    },

    /** One query for any number of ids; used to embed photos in lists without N+1. */
    async findByIds(ids: readonly string[], db: Db = store.db): Promise<Map<string, Photo>> {
      if (ids.length === 0) return new Map();
      const rows = await db
        .select()
        .from(photos)
        .where(inArray(photos.id, [...new Set(ids)]));
      return new Map(rows.map((row) => [row.id, toPhoto(row)]));
    },

    async list(options: { limit: number; after: [number, string] | null }) {
      const { after } = options;
      const rows = await store.db
        .select()
        .from(photos)
        .where(olderThan(photos.createdAt, photos.id, after))
        .orderBy(desc(photos.createdAt), desc(photos.id))
        .limit(options.limit + 1);
      const total = await store.db.$count(photos);
      return { items: rows.map(toPhoto), total };
    },

    async create(input: CreatePhotoInput, at: Date): Promise<Photo> {
      const [row] = await store.write((tx) =>
        tx
          .insert(photos)
          .values({
            id: newId('pho', at.getTime()),
            url: input.url,
            altText: input.altText,
            caption: input.caption ?? null,
            photographer: input.credit.photographer ?? null,
            agency: input.credit.agency ?? null,
            license: input.license ?? null,
            width: input.width ?? null,
            height: input.height ?? null,
            createdAt: at,
            updatedAt: at,
          })
          .returning(),
      );
      if (row === undefined) throw new Error('insert returned no row');
      return toPhoto(row);
    },

    async update(id: string, input: UpdatePhotoInput, at: Date): Promise<Photo> {
      const { credit, ...rest } = input;
      const [row] = await store.write((tx) =>
        tx
          .update(photos)
          .set({
            ...rest,
            ...(credit === undefined
              ? {}
              : { photographer: credit.photographer ?? null, agency: credit.agency ?? null }),
            updatedAt: at,
          })
          .where(eq(photos.id, id))
          .returning(),
      );
      if (row === undefined) throw notFound('No photo with that id.');
      changed(contentChanges.photoUpdated(id));
      return toPhoto(row);
    },

    delete(id: string): Promise<void> {
      return deleteUnreferenced(store, { table: photos, id: photos.id }, id, {
        notFound: 'No photo with that id.',
        inUse: 'The photo is still used (by an author or an article); detach it first.',
      });
    },
  };
}

export type PhotosRepository = ReturnType<typeof createPhotosRepository>;
