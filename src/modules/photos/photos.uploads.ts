import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { buffer } from 'node:stream/consumers';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PhotoVariant } from '../../db/schema/photo-files.ts';
import { conflict, HttpError, invalidFields } from '../../errors.ts';
import type { MediaStorage } from '../../lib/media-storage.ts';
import { createRenditionsPool } from '../../workers/renditions.ts';
import { changed as contentChanges } from '../shared/content-keys.ts';
import type { ServiceDeps } from '../shared/record-service.ts';
import { inRequestTerms } from '../shared/service-errors.ts';
import {
  contentTypes,
  cropNames,
  cropRegion,
  fallbackFormat,
  filesPrefix,
  type FocalPoint,
  ImageRefused,
  inspectHeader,
  isImageFormat,
  originalKey,
  type VariantRequest,
  variantFormats,
  variantKey,
  variantWidths,
} from './photos.images.ts';
import { creditFromFile, readFileMetadata } from './photos.metadata.ts';
import type { PhotoFields, PhotoRecord, PhotosRepository } from './photos.repository.ts';
import type { AdminPhoto, UploadFields } from './photos.schemas.ts';
import { toAdminPhoto } from './photos.service.ts';

// An upload keeps the original (with its metadata, for editors) and answers with one rendition
// made at once: the largest width in the original's format, which becomes the photo's `url`.
// Every other rendition (each width in AVIF, WebP and that format, and the crops) is made by a
// background job recorded on the photo itself, so it survives a restart and runs once across
// instances (a lease; a second process takes over when one dies mid-way).

export interface MediaSettings {
  storage: MediaStorage;
  /** Where readers fetch renditions: `<url>/<key>`. */
  publicUrl: string;
  maxPixels: number;
  widths: readonly number[];
}

const centre: FocalPoint = { x: 0.5, y: 0.5 };

/** A file refused as an image, in the API's terms: 415, 413, or a 400 naming the file part. */
const refusal = (error: ImageRefused) =>
  error.status === 415
    ? new HttpError(415, 'unsupported-media-type', error.message)
    : error.status === 413
      ? new HttpError(413, 'payload-too-large', error.message)
      : invalidFields([{ path: 'body.file', message: error.message }]);
const leaseMs = 10 * 60_000;
/** How long a writer waits for a removal of the same files under way elsewhere (seconds). */
const removalWaitMs = 10_000;
const maxAttempts = 3;

export function createPhotoUploads(deps: ServiceDeps<PhotosRepository> & { media: MediaSettings }) {
  const { repository, clock, media } = deps;
  const { storage } = media;
  const urlOf = (key: string) => `${media.publicUrl}/${key}`;
  // At most one upload decode per core at once, however many uploads are in flight: a burst
  // queues instead of holding a decoded picture per request. The background renditions are one
  // job at a time beside these, in a pool of their own so that an upload never waits for a
  // photo's 30 renditions.
  const uploadChildren = createRenditionsPool({ size: availableParallelism() });
  const renditionChildren = createRenditionsPool({ size: 1, niceness: 10 });

  /**
   * Takes keys about to be written back from any pending removal, waiting while a process is
   * removing them: written first and removed after, the files would be lost to the photo that
   * just recorded them. 503 when the removal takes longer than anyone should wait.
   */
  async function reserved(keys: readonly string[]): Promise<void> {
    for (let waited = 0; !(await repository.reserveFiles(keys, clock.now())); waited += 100) {
      if (waited >= removalWaitMs)
        throw new HttpError(
          503,
          'service-unavailable',
          'These files are being removed from media storage just now; retry shortly.',
          { headers: { 'retry-after': '5' } },
        );
      await sleep(100);
    }
  }

  async function kept(
    sha256: string,
    request: VariantRequest,
    made: { bytes: Buffer; width: number; height: number },
  ): Promise<PhotoVariant> {
    const key = variantKey(sha256, request);
    await storage.put(key, made.bytes, contentTypes[request.format]);
    return {
      key,
      url: urlOf(key),
      width: made.width,
      height: made.height,
      format: request.format,
      bytes: made.bytes.length,
      ...(request.crop === undefined ? {} : { crop: request.crop.name }),
    };
  }

  /** Every rendition an upload gets: each width × format, then each crop's widths in WebP. */
  function plan(record: PhotoRecord): VariantRequest[] {
    const { width, height, format } = record;
    if (width === null || height === null || !isImageFormat(format)) return [];
    const focal =
      record.focalX === null || record.focalY === null
        ? centre
        : { x: record.focalX, y: record.focalY };
    const whole = variantWidths(media.widths, width).flatMap((w) =>
      variantFormats(format).map((f) => ({ width: w, format: f })),
    );
    const crops = cropNames.flatMap((name) => {
      const cropWidth = cropRegion({ width, height }, name, focal).width;
      return variantWidths(media.widths, cropWidth).map((w) => ({
        width: w,
        format: 'webp' as const,
        crop: { name, focal },
      }));
    });
    return [...whole, ...crops];
  }

  async function readOriginal(record: PhotoRecord): Promise<Buffer> {
    if (record.fileKey === null) throw new Error('the photo has no uploaded file');
    const object = await storage.read(record.fileKey);
    if (object === undefined) throw new Error(`the original ${record.fileKey} is missing`);
    return buffer(object.body);
  }

  /**
   * What an upload's bytes make before anything is recorded: refused with 415/413/400 when they
   * are not a usable image; otherwise the original and the display rendition are stored (503 when
   * storage fails, so nothing is recorded) and the photo's file fields are ready to write.
   */
  async function stored(bytes: Buffer, sha256: string) {
    const refused = (error: unknown) => {
      throw error instanceof ImageRefused ? refusal(error) : error;
    };
    const image = await inspectHeader(bytes, media.maxPixels).catch(refused);
    const metadata = await readFileMetadata(bytes);
    const original = originalKey(sha256, image.format);
    const display = {
      width: Math.min(image.width, Math.max(...media.widths)),
      format: fallbackFormat(image.format),
    };
    // Decoding (the placeholder, which refuses a damaged file) and the display rendition run
    // in a renditions process, like the other renditions: the server keeps none of that memory.
    let rendition: { bytes: Buffer; width: number; height: number } | undefined;
    const { placeholder } = await uploadChildren
      .render(
        {
          original: bytes,
          size: image,
          requests: [display],
          maxPixels: media.maxPixels,
          placeholder: true,
        },
        async (_index, made) => {
          rendition = made;
        },
      )
      .catch(refused);
    if (rendition === undefined || placeholder === undefined)
      throw new Error('the renditions process answered without the display rendition');
    // The same bytes as a photo deleted an hour ago: its files may be on their way out.
    await reserved([filesPrefix(sha256), original, variantKey(sha256, display)]);
    // Files first: a failed store leaves no record behind (only unreferenced files, which
    // the same upload tried again reuses: the keys are the content's).
    const shown = await Promise.all([
      storage.put(original, bytes, contentTypes[image.format]),
      kept(sha256, display, rendition),
    ]).then(
      ([, variant]) => variant,
      (error: unknown) => {
        // The cause is logged with the 503; the client hears only that nothing was kept.
        throw Object.assign(
          new HttpError(
            503,
            'service-unavailable',
            'The media storage could not keep the file; nothing was recorded. Retry shortly.',
            { headers: { 'retry-after': '5' } },
          ),
          { cause: error },
        );
      },
    );
    const file = {
      url: shown.url,
      width: image.width,
      height: image.height,
      fileKey: original,
      sha256,
      bytes: bytes.length,
      format: image.format,
      placeholder,
      variants: [shown],
      metadata: {
        byline: metadata.byline,
        credit: metadata.credit,
        source: metadata.source,
        copyrightNotice: metadata.copyrightNotice,
        caption: metadata.caption,
        headline: metadata.headline,
        dateCreated: metadata.dateCreated,
        camera: metadata.camera,
        location: metadata.location,
      },
    } satisfies Partial<PhotoFields>;
    return { file, metadata, fromFile: creditFromFile(metadata) };
  }

  const hashOf = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
  const sameBytes = (sha256: string, id: string) =>
    conflict(`These bytes are already photo ${id}; use it, or delete it first.`, [
      { path: 'body.file', message: `The same file as photo ${id} (sha256 ${sha256}).` },
    ]);

  return {
    /**
     * Keeps an uploaded file as a photo: refused with 415/413/400 when it is not a usable image;
     * the same bytes again answer with the photo already made from them (`created` false).
     * Nothing is recorded unless the files are stored first.
     */
    async upload(
      bytes: Buffer,
      fields: Omit<UploadFields, 'file'>,
    ): Promise<{ photo: AdminPhoto; created: boolean }> {
      const sha256 = hashOf(bytes);
      const known = await repository.findBySha256(sha256);
      if (known !== undefined) return { photo: toAdminPhoto(known), created: false };
      const { file, metadata, fromFile } = await stored(bytes, sha256);
      const typed = fields.credit;
      const credit =
        typed !== undefined
          ? {
              photographer: typed.photographer ?? null,
              agency: typed.agency ?? null,
              source: 'editor',
            }
          : fromFile.photographer !== null || fromFile.agency !== null
            ? { ...fromFile, source: 'iptc' }
            : { photographer: null, agency: null, source: null };
      let created = true;
      const record = await inRequestTerms(
        repository.create(
          {
            ...file,
            altText: fields.altText ?? metadata.altText ?? '',
            caption: fields.caption ?? metadata.caption,
            photographer: credit.photographer,
            agency: credit.agency,
            creditSource: credit.source,
            license: fields.license ?? metadata.copyrightNotice,
            variantsState: 'pending',
            variantsRequest: 1,
          },
          clock.now(),
        ),
      ).catch(async (error: unknown) => {
        // The same file uploaded twice at once: the other request recorded it first.
        const winner = await repository.findBySha256(sha256);
        if (winner === undefined) throw error;
        created = false;
        return winner;
      });
      return { photo: toAdminPhoto(record), created };
    },

    /**
     * Gives an existing photo a new file (a better scan, a retouched print, an upload for a photo
     * that had only a URL): its renditions are made again, what shows it is rendered again, and the
     * old file's go an hour later. What an editor typed stays; a credit that came from the old file
     * (or was never set) is read from the new one when it has one, and an empty caption, licence
     * or alt text is filled from it. The same bytes as the photo's own file change nothing;
     * another photo's bytes are a 409. Undefined: no such photo.
     */
    async replace(id: string, bytes: Buffer): Promise<AdminPhoto | undefined> {
      const sha256 = hashOf(bytes);
      const [current, known] = await Promise.all([
        repository.findById(id),
        repository.findBySha256(sha256),
      ]);
      if (current === undefined) return undefined;
      if (known?.id === id) return toAdminPhoto(known);
      if (known !== undefined) throw sameBytes(sha256, known.id);
      const { file, metadata, fromFile } = await stored(bytes, sha256);
      const keys = contentChanges.photoUpdated(id, true);
      const record = await inRequestTerms(
        repository.replaceFile(
          id,
          (photo) => {
            // A new file without a credit keeps the old one: an uncredited agency picture is
            // worse than a credit carried over from an earlier file of it.
            const fromFileNow =
              photo.creditSource !== 'editor' &&
              (fromFile.photographer !== null || fromFile.agency !== null);
            return {
              ...file,
              ...(fromFileNow ? { ...fromFile, creditSource: 'iptc' } : {}),
              altText: photo.altText === '' ? (metadata.altText ?? '') : photo.altText,
              caption: photo.caption ?? metadata.caption,
              license: photo.license ?? metadata.copyrightNotice,
            };
          },
          clock.now(),
          keys,
        ),
      ).catch(async (error: unknown) => {
        // Another request recorded these bytes as a photo meanwhile (the hash is unique).
        const winner = await repository.findBySha256(sha256);
        if (winner === undefined || winner.id === id) throw error;
        throw sameBytes(sha256, winner.id);
      });
      if (record !== undefined) deps.changed(keys);
      return record === undefined ? undefined : toAdminPhoto(record);
    },

    /** Stops the idle renditions processes (the server is closing). */
    close(): void {
      uploadChildren.close();
      renditionChildren.close();
    },

    /**
     * Removes the media files due to go (a batch), keeping any a live photo uses again by now;
     * a file storage could not remove is tried again by the next run. Returns how many went.
     */
    async removeDueFiles(): Promise<number> {
      const claimed = await repository.claimDeletions(clock.now());
      const outcomes = await Promise.allSettled(
        claimed.map((key) => (key.endsWith('/') ? storage.deleteAll(key) : storage.delete(key))),
      );
      const done = claimed.filter((_, index) => outcomes[index]?.status === 'fulfilled');
      await repository.forgetDeletions(done);
      await repository.releaseDeletions(
        claimed.filter((_, index) => outcomes[index]?.status === 'rejected'),
      );
      const failed = outcomes.find((outcome) => outcome.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
      return done.length;
    },

    /**
     * Makes the renditions of one photo that is due (if any) and records them; true when one
     * was taken. A failure is retried by the next run, three attempts in all.
     */
    async makeDueVariants(signal?: AbortSignal): Promise<boolean> {
      const claimed = await repository.claimVariants(clock.now(), leaseMs);
      if (claimed === undefined) return false;
      const { id, variantsRequest, sha256, width, height } = claimed;
      try {
        if (sha256 === null || width === null || height === null)
          throw new Error('the photo has no uploaded file');
        const original = await readOriginal(claimed);
        const requests = plan(claimed);
        // A crop around a focal point this photo had before has the same key as then.
        await reserved(requests.map((request) => variantKey(sha256, request)));
        const made: PhotoVariant[] = [];
        // In a renditions process, one rendition at a time on one libvips thread: the memory
        // image work takes goes back when that process is retired, and a burst of uploads leaves
        // the other core to public reads.
        await renditionChildren.render(
          { original, size: { width, height }, requests, maxPixels: media.maxPixels },
          async (index, rendition) => {
            const request = requests[index];
            if (request === undefined) throw new Error(`no rendition ${index} was asked for`);
            made.push(await kept(sha256, request, rendition));
          },
          signal,
        );
        const keys = contentChanges.photoUpdated(id, false);
        if (await repository.finishVariants(id, variantsRequest, made, clock.now(), keys))
          deps.changed(keys);
        // Asked for again or deleted meanwhile: what this job made goes later, unless the
        // photo's newer renditions turn out to be the same files.
        else
          await repository.discardFiles(
            made.map((variant) => variant.key),
            clock.now(),
          );
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        // Stopped by a shutdown: the lease is released for the next process to start again.
        if (signal?.aborted === true) {
          await repository.failVariants(id, variantsRequest, message, false);
          return false;
        }
        await repository.failVariants(
          id,
          variantsRequest,
          message.slice(0, 500),
          claimed.variantsAttempts >= maxAttempts,
        );
        throw error;
      }
      return true;
    },
  };
}

export type PhotoUploads = ReturnType<typeof createPhotoUploads>;
