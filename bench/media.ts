import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { FastifyInstance } from 'fastify';

// The photo scenarios' files: a 2 MB camera-sized JPEG, made unique per request (a comment
// segment with a counter, so no upload is answered as a duplicate), sent as multipart; and the
// baseline's way to serve a rendition: the file from disk, nothing checked.

export const boundary = 'broadsheet-bench-boundary';

/** About 2 MB: 2,400 × 1,600 of fine noise over a gradient, at JPEG quality 90 (smaller for a smoke run). */
export async function benchJpeg(size = { width: 2400, height: 1600 }): Promise<Buffer> {
  return sharp({
    create: {
      width: size.width,
      height: size.height,
      channels: 3,
      background: '#4070a0',
      noise: { type: 'gaussian', mean: 120, sigma: 28 },
    },
  })
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** The same picture with a counter in a JPEG comment: other bytes, another photo. */
export function uniqueJpeg(base: Buffer, counter: number): Buffer {
  const comment = Buffer.from(`bench ${counter} ${Date.now()}`, 'latin1');
  const length = Buffer.alloc(2);
  length.writeUInt16BE(comment.length + 2);
  return Buffer.concat([
    base.subarray(0, 2),
    Buffer.from([0xff, 0xfe]),
    length,
    comment,
    base.subarray(2),
  ]);
}

export function multipartBody(file: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="altText"\r\n\r\nA benchmark picture\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
    ),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
}

const adminHeaders = (token: string) => ({ authorization: `Bearer ${token}` });

async function photosPending(url: string, token: string): Promise<number> {
  const response = await fetch(`${url}/v1/admin/photos?limit=100`, {
    headers: adminHeaders(token),
  });
  const body = (await response.json()) as { data: Array<{ file: { variants: string } | null }> };
  return body.data.filter((photo) => photo.file?.variants === 'pending').length;
}

/** Waits until every upload's renditions are made; how long that took, in ms. */
export async function drainRenditions(url: string, token: string): Promise<number> {
  const started = Date.now();
  while ((await photosPending(url, token)) > 0)
    await new Promise((resolve) => setTimeout(resolve, 250));
  return Date.now() - started;
}

/** Uploads one picture and waits for its renditions: the path of its WebP up to 1,024 pixels. */
export async function prepareRendition(url: string, token: string, base: Buffer): Promise<string> {
  const response = await fetch(`${url}/v1/admin/photos/uploads`, {
    method: 'POST',
    headers: {
      ...adminHeaders(token),
      'content-type': `multipart/form-data; boundary=${boundary}`,
    },
    body: multipartBody(uniqueJpeg(base, 0)),
  });
  if (response.status !== 201)
    throw new Error(`uploading: ${response.status} ${await response.text()}`);
  const { data } = (await response.json()) as { data: { id: string } };
  await drainRenditions(url, token);
  const photo = await fetch(`${url}/v1/admin/photos/${data.id}`, { headers: adminHeaders(token) });
  const { data: made } = (await photo.json()) as {
    data: { variants: Array<{ url: string; width: number; format: string }> };
  };
  const webp = made.variants
    .filter((variant) => variant.format === 'webp' && variant.width <= 1024)
    .at(-1);
  if (webp === undefined) throw new Error('the uploaded picture has no WebP rendition');
  return new URL(webp.url).pathname;
}

/** The baseline's file route: the bytes from MEDIA_DIR with the year-long header, nothing else. */
export function baselineMediaRoute(app: FastifyInstance): void {
  const root = process.env.MEDIA_DIR ?? '';
  app.get<{ Params: { sha: string; name: string } }>(
    '/media/photos/:sha/:name',
    async (request, reply) => {
      const path = join(root, 'photos', request.params.sha, request.params.name);
      if (!existsSync(path)) return reply.code(404).send();
      return reply
        .type('image/webp')
        .header('cache-control', 'public, max-age=31536000, immutable')
        .send(createReadStream(path));
    },
  );
}
