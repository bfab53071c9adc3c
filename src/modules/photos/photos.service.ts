import { notFound } from '../../errors.ts';
import type { PageRequest } from '../../pagination.ts';
import { iso } from '../../schemas.ts';
import type { ContentChanged } from '../shared/changes.ts';
import type { Clock } from '../shared/clock.ts';
import { changed as contentChanges } from '../shared/content-keys.ts';
import { inRequestTerms } from '../shared/service-errors.ts';
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

const noSuchPhoto = 'No photo with that id.';

export function createPhotosService(deps: {
  repository: PhotosRepository;
  changed: ContentChanged;
  clock: Clock;
}) {
  const { repository, changed, clock } = deps;
  return {
    async list(page: PageRequest<'createdAt'>) {
      const [records, total] = await Promise.all([repository.list(page), repository.count()]);
      return { items: records.map(toPhoto), total };
    },

    async findById(id: string): Promise<Photo | undefined> {
      const record = await repository.findById(id);
      return record === undefined ? undefined : toPhoto(record);
    },

    async findByUrl(url: string): Promise<Photo | undefined> {
      const record = await repository.findByUrl(url);
      return record === undefined ? undefined : toPhoto(record);
    },

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
      const record = await repository.update(
        id,
        {
          ...rest,
          ...(credit === undefined
            ? {}
            : { photographer: credit.photographer ?? null, agency: credit.agency ?? null }),
        },
        clock.now(),
      );
      if (record === undefined) throw notFound(noSuchPhoto);
      changed(contentChanges.photoUpdated(id));
      return toPhoto(record);
    },

    async delete(id: string): Promise<void> {
      const deleted = await inRequestTerms(repository.delete(id), {
        inUse: 'The photo is still used (by an author or an article); detach it first.',
      });
      if (!deleted) throw notFound(noSuchPhoto);
    },
  };
}

export type PhotosService = ReturnType<typeof createPhotosService>;
