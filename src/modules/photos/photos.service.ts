import { invalidFields } from '../../errors.ts';
import { iso, isoOrNull } from '../../schemas.ts';
import { changed as contentChanges } from '../shared/content-keys.ts';
import { recordService, type ServiceDeps } from '../shared/record-service.ts';
import type { PhotoRecord, PhotosRepository } from './photos.repository.ts';
import {
  type AdminPhoto,
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

export function toAdminPhoto(record: PhotoRecord): AdminPhoto {
  return { ...toPhoto(record), embargoUntil: isoOrNull(record.embargoUntil) };
}

/** Whether readers may not see the photo yet at `now`. */
export const underEmbargo = (record: PhotoRecord, now: Date): boolean =>
  record.embargoUntil !== null && record.embargoUntil.getTime() > now.getTime();

/**
 * The photo an embed points at, or null when it has none (or it is gone). For readers
 * (`shownAt` given), also null while it is under embargo then.
 */
export function embeddedPhoto(
  photoId: string | null,
  photos: ReadonlyMap<string, PhotoRecord>,
  shownAt?: Date,
): Photo | null {
  const record = photoId === null ? undefined : photos.get(photoId);
  if (record === undefined) return null;
  return shownAt !== undefined && underEmbargo(record, shownAt) ? null : toPhoto(record);
}

export function createPhotosService(deps: ServiceDeps<PhotosRepository>) {
  const { repository, clock } = deps;
  // A delete is refused (409) while the record is referenced, with what to do instead.
  const inUse =
    'The photo is still used (by an author, an article or a collection slot); detach it first.';
  const records = recordService(deps, (found) => found.map(toAdminPhoto), 'photo', inUse);
  return {
    ...records.reads,
    findByUrl: async (url: string) => records.one(await repository.findByUrl(url)),

    /** Nothing public shows a photo until an article or author uses it: no keys to drop. */
    create: (input: CreatePhotoInput): Promise<AdminPhoto> =>
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

    /**
     * `credit` is replaced whole. An embargo (editors: this route is theirs) must end in the
     * future; everything showing the photo is rendered again without it until then.
     */
    update(id: string, input: UpdatePhotoInput): Promise<AdminPhoto> {
      const { credit, embargoUntil, ...rest } = input;
      const at = clock.now();
      const until =
        embargoUntil === undefined || embargoUntil === null ? embargoUntil : new Date(embargoUntil);
      if (until instanceof Date && until.getTime() <= at.getTime())
        throw invalidFields([{ path: 'body.embargoUntil', message: 'Must be in the future.' }]);
      const credited =
        credit === undefined
          ? {}
          : { photographer: credit.photographer ?? null, agency: credit.agency ?? null };
      const changes =
        embargoUntil === undefined
          ? contentChanges.photoUpdated(id, input.url !== undefined)
          : contentChanges.photoEmbargoChanged(id);
      return records.written(changes, (keys) =>
        repository.update(
          id,
          { ...rest, ...credited, ...(until === undefined ? {} : { embargoUntil: until }) },
          at,
          keys,
        ),
      );
    },

    /**
     * Lifts the embargoes due at `now` (once, whichever process comes first): what shows each
     * photo is rendered again with it, dropped from caches, and `photo.updated` is announced.
     * Returns how many it lifted.
     */
    async liftDue(): Promise<number> {
      const now = clock.now();
      let lifted = 0;
      for (const id of await repository.embargoesDue(now)) {
        const keys = contentChanges.photoEmbargoChanged(id);
        if (await repository.lift(id, now, keys)) {
          lifted += 1;
          deps.changed(keys);
        }
      }
      return lifted;
    },

    /** A photo can go only once nothing public uses it: no keys to drop. */
    delete: (id: string) => records.deleted([], (keys) => repository.delete(id, clock.now(), keys)),
  };
}

export type PhotosService = ReturnType<typeof createPhotosService>;
