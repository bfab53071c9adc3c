import sharp from 'sharp';
import { renderVariant, type VariantRequest } from '../modules/photos/photos.images.ts';

// A child process that makes one photo's renditions and exits. libvips' threads leave glibc
// holding the memory they freed (hundreds of MB after a few pictures); a process of its own
// returns all of it when it ends, so the server's RSS does not keep what image work took.

export interface RenditionJob {
  original: Uint8Array;
  size: { width: number; height: number };
  requests: VariantRequest[];
  maxPixels: number;
}

export type RenditionMessage =
  | { kind: 'rendition'; index: number; bytes: Uint8Array; width: number; height: number }
  | { kind: 'done' }
  | { kind: 'failed'; message: string };

sharp.cache(false);
sharp.concurrency(1);

const send = (message: RenditionMessage) =>
  new Promise<void>((resolve, reject) =>
    process.send?.(message, undefined, {}, (error) => (error === null ? resolve() : reject(error))),
  );

process.once('message', (job: RenditionJob) => {
  void (async () => {
    try {
      const original = Buffer.from(job.original);
      for (const [index, request] of job.requests.entries()) {
        const made = await renderVariant(original, job.size, request, job.maxPixels);
        await send({ kind: 'rendition', index, ...made });
      }
      await send({ kind: 'done' });
    } catch (error) {
      await send({
        kind: 'failed',
        message: error instanceof Error ? error.message : String(error),
      });
    }
    process.disconnect();
  })();
});
