import sharp from 'sharp';
import {
  ImageRefused,
  placeholderOf,
  renderVariant,
  type VariantRequest,
} from '../modules/photos/photos.images.ts';

// A child process that decodes and renders photos, one job at a time, until its parent lets it
// go: an upload's placeholder and display rendition, or a photo's other renditions. libvips'
// threads leave glibc holding the memory they freed (hundreds of MB after a few pictures); a
// process of its own returns all of it when it ends, so the server's RSS does not keep what image
// work took (renditions.ts retires children after some jobs and when idle).

export interface RenditionJob {
  original: Uint8Array;
  size: { width: number; height: number };
  requests: VariantRequest[];
  maxPixels: number;
  /** Decode the whole picture first for its placeholder (a damaged file fails here). */
  placeholder?: boolean;
}

export type RenditionMessage =
  | { kind: 'placeholder'; value: string }
  | { kind: 'rendition'; index: number; bytes: Uint8Array; width: number; height: number }
  | { kind: 'done' }
  | { kind: 'failed'; message: string; refused?: ImageRefused['status'] };

sharp.cache(false);
sharp.concurrency(1);

const send = (message: RenditionMessage) =>
  new Promise<void>((resolve, reject) =>
    process.send?.(message, undefined, {}, (error) => (error === null ? resolve() : reject(error))),
  );

// The parent gone (or done with this child): nothing is left to do, whatever is running.
process.once('disconnect', () => process.exit(0));

// The parent sends the next job only once this one is done or failed.
process.on('message', (job: RenditionJob) => {
  void (async () => {
    try {
      const original = Buffer.from(job.original);
      if (job.placeholder === true)
        await send({ kind: 'placeholder', value: await placeholderOf(original, job.maxPixels) });
      for (const [index, request] of job.requests.entries()) {
        const made = await renderVariant(original, job.size, request, job.maxPixels);
        await send({ kind: 'rendition', index, ...made });
      }
      await send({ kind: 'done' });
    } catch (error) {
      await send({
        kind: 'failed',
        message: error instanceof Error ? error.message : String(error),
        ...(error instanceof ImageRefused ? { refused: error.status } : {}),
      });
    }
  })().catch(() => process.exit(1));
});
