import { iso } from '../../schemas.ts';
import { changed as contentChanges } from '../shared/content-keys.ts';
import { recordService, type ServiceDeps } from '../shared/record-service.ts';
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

export function createPhotosService(deps: ServiceDeps<PhotosRepository>) {
  const { repository, clock } = deps;
  // A delete is refused (409) while the record is referenced, with what to do instead.
  const inUse =
    'The photo is still used (by an author, an article or a collection slot); detach it first.';
  const records = recordService(deps, (found) => found.map(toPhoto), 'photo', inUse);
  return {
    ...records.reads,
    findByUrl: async (url: string) => records.one(await repository.findByUrl(url)),

    /** Nothing public shows a photo until an article or author uses it: no keys to drop. */
    create: (input: CreatePhotoInput): Promise<Photo> =>
      records.written([], () =>
        repository.create(
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
        ),
      ),

    /** `credit` is replaced whole. */
    update(id: string, input: UpdatePhotoInput): Promise<Photo> {
      const { credit, ...rest } = input;
      const credited =
        credit === undefined
          ? {}
          : { photographer: credit.photographer ?? null, agency: credit.agency ?? null };
      return records.written(contentChanges.photoUpdated(id, input.url !== undefined), (keys) =>
        repository.update(id, { ...rest, ...credited }, clock.now(), keys),
      );
    },

    /** A photo can go only once nothing public uses it: no keys to drop. */
    delete: (id: string) => records.deleted([], (keys) => repository.delete(id, clock.now(), keys)),
  };
}

export type PhotosService = ReturnType<typeof createPhotosService>;
