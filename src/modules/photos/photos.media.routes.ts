import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import parseRange from 'range-parser';
import { z } from 'zod';
import { HttpError, notFound, problemResponses } from '../../errors.ts';
import { ifNoneMatchHits } from '../../plugins/http-cache.ts';
import { publicSecurity } from '../../plugins/openapi.ts';
import type { MediaStorage } from '../../lib/media-storage.ts';
import { contentTypes, formatOfExtension, servedVariantName } from './photos.images.ts';

// Renditions of uploaded photos, by content-addressed name: a URL always holds the same bytes,
// so browsers and CDNs keep them for a year without asking again. Originals are never served
// (they keep the file's metadata, GPS included); a photo that is deleted or under embargo has
// no files to readers.

const immutable = 'public, max-age=31536000, immutable';
const maxFileBytes = 500 * 1_048_576;

const fileParams = z.strictObject({
  sha256: z
    .string()
    .length(64)
    .regex(/^[0-9a-f]{64}$/, 'must be a photo’s SHA-256')
    .meta({ description: 'The SHA-256 of the uploaded original.' }),
  name: z
    .string()
    .max(60)
    .regex(servedVariantName, 'must name a rendition')
    .meta({ description: '`w640.webp`, `c16x9-0500-0400-w1024.webp`, …' }),
});

const image = (description: string) => ({
  description,
  content: Object.fromEntries(
    Object.values(contentTypes).map((type) => [
      type,
      // Renditions are at most 2,400 pixels wide; an uploaded original is never served.
      { schema: z.string().max(maxFileBytes).meta({ format: 'binary' }) },
    ]),
  ),
});

interface FileRouteOptions {
  storage: MediaStorage;
  /** Whether the upload with this hash may be shown to readers now. */
  servable: (sha256: string) => Promise<boolean>;
  /** Set when renditions are served from elsewhere (a CDN, the bucket): requests go there. */
  redirectTo?: string;
}

export function photoFileRoutes(options: FileRouteOptions): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/photos/:sha256/:name',
      {
        schema: {
          operationId: 'getPhotoFile',
          summary: 'One rendition of an uploaded photo (a width, format or crop)',
          description:
            'Content-addressed: cached for a year (`immutable`), `ETag`/`If-None-Match`, single byte ranges (`Range`, 206/416). Renditions carry no metadata. 404 for a deleted photo or one under embargo; a 301 to `MEDIA_URL` when files are served from there.',
          security: publicSecurity,
          params: fileParams,
          response: {
            200: image('The file'),
            206: image('The byte range asked for'),
            301: z.null().meta({ description: 'Served from `MEDIA_URL`: the same path there' }),
            304: z.null().meta({ description: 'Not modified (the ETag matched)' }),
            ...problemResponses(400, 404, 416),
          },
        },
      },
      async (request, reply) => {
        const { sha256, name } = request.params;
        return sendFile(request, reply, options, sha256, name);
      },
    );
  };
}

async function sendFile(
  request: FastifyRequest,
  reply: FastifyReply,
  options: FileRouteOptions,
  sha256: string,
  name: string,
): Promise<FastifyReply> {
  const { storage } = options;
  const key = `photos/${sha256}/${name}`;
  if (options.redirectTo !== undefined)
    return reply.code(301).header('location', `${options.redirectTo}/${key}`).send();
  const format = formatOfExtension(name.slice(name.lastIndexOf('.') + 1));
  const missing = () => {
    reply.header('cache-control', 'no-store');
    return notFound('No such file.');
  };
  if (format === undefined || !(await options.servable(sha256))) throw missing();
  // The name is the content's, so the ETag is known before storage is asked anything: a 304
  // costs no I/O, a whole file one read (its size comes with it), a range a size and a read.
  const etag = `"${sha256.slice(0, 16)}-${name}"`;
  reply
    .header('etag', etag)
    .header('cache-control', immutable)
    .header('accept-ranges', 'bytes')
    .header('x-content-type-options', 'nosniff');
  if (ifNoneMatchHits(request.headers['if-none-match'], etag)) return reply.code(304).send();
  const asked = request.headers.range;
  const ifRange = request.headers['if-range'];
  const ranged = asked !== undefined && (ifRange === undefined || ifRange === etag);
  const size = ranged ? await storage.size(key) : undefined;
  if (ranged && size === undefined) throw missing();
  const ranges =
    size === undefined || asked === undefined
      ? undefined
      : parseRange(size, asked, { combine: true });
  if (ranges === -1)
    throw new HttpError(416, 'http-416', `The file has ${size} bytes.`, {
      headers: { 'content-range': `bytes */${size}`, 'cache-control': 'no-store' },
    });
  // One range is served; a malformed header or several ranges get the whole file.
  const range =
    ranges !== undefined && ranges !== -2 && ranges.type === 'bytes' && ranges.length === 1
      ? ranges[0]
      : undefined;
  const object = await storage.read(key, range);
  if (object === undefined) throw missing();
  reply.type(contentTypes[format]);
  if (range === undefined) return reply.header('content-length', object.size).send(object.body);
  return reply
    .code(206)
    .header('content-range', `bytes ${range.start}-${range.end}/${object.size}`)
    .header('content-length', range.end - range.start + 1)
    .send(object.body);
}
