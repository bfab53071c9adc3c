import { iso } from '../../schemas.ts';
import { changed as contentChanges } from '../shared/content-keys.ts';
import type { ModuleDeps } from '../shared/module.ts';
import { recordService } from '../shared/record-service.ts';
import type { PhotoRecord, PhotosRepository } from './photos.repository.ts';
import {
  type CreatePhotoInput,
  creditLine,
  type Photo,
  type UpdatePhotoInput,
} from './photos.schemas.ts';

export function toPhoto(record: PhotoRecord): Photo {
  return {
    id: record.id,
    url: record.url,
    altText: record.altText,
    caption: record.caption,
    credit: {
      photographer: record.photographer,
      agency: record.agency,
      line: creditLine(record.photographer, record.agency),
    },
    license: record.license,
    width: record.width,
    height: record.height,
    createdAt: iso(record.createdAt),
    updatedAt: iso(record.updatedAt),
  };
}

/** The photo an embed points at, or null when it has none (or it is gone). */
export function embeddedPhoto(
  photoId: string | null,
  photos: ReadonlyMap<string, PhotoRecord>,
): Photo | null {
  const record = photoId === null ? undefined : photos.get(photoId);
  return record === undefined ? null : toPhoto(record);
}

export function createPhotosService({
  repository,
  changed,
  clock,
}: Omit<ModuleDeps, 'store'> & { repository: PhotosRepository }) {
  const records = recordService(repository, (found) => found.map(toPhoto), {
    notFound: 'No photo with that id.',
    inUse: 'The photo is still used (by an author or an article); detach it first.',
  });
  return {
    list: records.list,
    findById: records.findById,
    findByUrl: async (url: string) => records.one(await repository.findByUrl(url)),

    async create(input: CreatePhotoInput): Promise<Photo> {
      const record = await repository.create(
        {
          url: input.url,
          altText: input.altText,
          caption: input.caption ?? null,
          photographer: input.credit.photographer ?? null,
          agency: input.credit.agency ?? null,
          license: input.license ?? null,
          width: input.width ?? null,
          height: input.height ?? null,
        },
        clock.now(),
      );
      return toPhoto(record);
    },

    /** `credit` is replaced whole. */
    async update(id: string, input: UpdatePhotoInput): Promise<Photo> {
      const { credit, ...rest } = input;
      const credited =
        credit === undefined
          ? {}
          : { photographer: credit.photographer ?? null, agency: credit.agency ?? null };
      const photo = await records.changed(
        await repository.update(id, { ...rest, ...credited }, clock.now()),
      );
      changed(contentChanges.photoUpdated(id));
      return photo;
    },

    delete: (id: string) => records.deleted(repository.delete(id)),
  };
}

export type PhotosService = ReturnType<typeof createPhotosService>;
