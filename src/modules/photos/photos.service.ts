import { invalidFields } from '../../errors.ts';
import { iso, isoOrNull } from '../../schemas.ts';
import { changed as contentChanges } from '../shared/content-keys.ts';
import { recordService, type ServiceDeps } from '../shared/record-service.ts';
import type { PhotoVariant } from '../../db/schema/photo-files.ts';
import { cropNames, fallbackFormat, isImageFormat } from './photos.images.ts';
import type { PhotoRecord, PhotosRepository } from './photos.repository.ts';
import {
  type AdminPhoto,
  type CreatePhotoInput,
  creditLine,
  type Photo,
  type UpdatePhotoInput,
} from './photos.schemas.ts';

const srcsetOf = (variants: readonly PhotoVariant[]) =>
  variants.map((variant) => `${variant.url} ${variant.width}w`).join(', ');

const shown = ({ url, width, height, format }: PhotoVariant) => ({ url, width, height, format });

/** An upload's renditions as readers use them: `srcset`s per format and per crop. */
function renditions(record: PhotoRecord) {
  const all = [...(record.variants ?? [])].sort((a, b) => a.width - b.width);
  const whole = all.filter((variant) => variant.crop === undefined);
  const fallback = isImageFormat(record.format) ? fallbackFormat(record.format) : null;
  const inFormat = (format: string) => whole.filter((variant) => variant.format === format);
  const original = fallback === null ? [] : inFormat(fallback);
  return {
    variants: whole.map(shown),
    srcset: original.length === 0 ? null : srcsetOf(original),
    sources: (['avif', 'webp'] as const)
      .filter((format) => format !== fallback && inFormat(format).length > 0)
      .map((format) => ({ type: `image/${format}` as const, srcset: srcsetOf(inFormat(format)) })),
    crops: cropNames.flatMap((ratio) => {
      const cut = all.filter((variant) => variant.crop === ratio);
      return cut.length === 0 ? [] : [{ ratio, variants: cut.map(shown), srcset: srcsetOf(cut) }];
    }),
  };
}

export function toPhoto(record: PhotoRecord): Photo {
  const line = creditLine(record.photographer, record.agency);
  return {
    id: record.id,
    url: record.url,
    altText: record.altText,
    caption: record.caption,
    credit: {
      photographer: record.photographer,
      agency: record.agency,
      line,
      // Photos from before uploads were all credited by hand.
      source:
        record.creditSource === 'iptc'
          ? 'iptc'
          : line === '' && record.creditSource === null
            ? null
            : 'editor',
    },
    license: record.license,
    width: record.width,
    height: record.height,
    focalPoint:
      record.focalX === null || record.focalY === null
        ? null
        : { x: record.focalX, y: record.focalY },
    placeholder: record.placeholder,
    ...renditions(record),
    createdAt: iso(record.createdAt),
    updatedAt: iso(record.updatedAt),
  };
}

const variantStates = ['pending', 'ready', 'failed'] as const;

export function toAdminPhoto(record: PhotoRecord): AdminPhoto {
  const { format } = record;
  const file =
    record.fileKey === null ||
    record.sha256 === null ||
    record.bytes === null ||
    !isImageFormat(format) ||
    record.metadata === null
      ? null
      : {
          format,
          bytes: record.bytes,
          sha256: record.sha256,
          variants: variantStates.find((state) => state === record.variantsState) ?? 'pending',
          error: record.variantsError,
          metadata: record.metadata,
        };
  return { ...toPhoto(record), embargoUntil: isoOrNull(record.embargoUntil), file };
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

    /** Whether readers may fetch the files of the upload with this hash now (not deleted or held). */
    async servable(sha256: string): Promise<boolean> {
      const record = await repository.findBySha256(sha256);
      return record !== undefined && !underEmbargo(record, clock.now());
    },

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
            creditSource: 'editor',
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
      const { credit, embargoUntil, focalPoint, ...rest } = input;
      const at = clock.now();
      const until =
        embargoUntil === undefined || embargoUntil === null ? embargoUntil : new Date(embargoUntil);
      if (until instanceof Date && until.getTime() <= at.getTime())
        throw invalidFields([{ path: 'body.embargoUntil', message: 'Must be in the future.' }]);
      const credited =
        credit === undefined
          ? {}
          : {
              photographer: credit.photographer ?? null,
              agency: credit.agency ?? null,
              creditSource: 'editor',
            };
      const focal =
        focalPoint === undefined
          ? {}
          : { focalX: focalPoint?.x ?? null, focalY: focalPoint?.y ?? null };
      const changes =
        embargoUntil === undefined
          ? contentChanges.photoUpdated(id, input.url !== undefined)
          : contentChanges.photoEmbargoChanged(id);
      return records.written(changes, async (keys) => {
        // A moved focal point moves an upload's crops: they are made again in the background.
        const uploaded =
          focalPoint !== undefined && ((await repository.findById(id))?.fileKey ?? null) !== null;
        return repository.update(
          id,
          {
            ...rest,
            ...credited,
            ...focal,
            ...(until === undefined ? {} : { embargoUntil: until }),
          },
          at,
          keys,
          uploaded,
        );
      });
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
