import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';

export interface PublicCacheOptions {
  maxAge: number;
  staleWhileRevalidate: number;
}

/** A strong validator over the exact bytes sent. */
export function etagFor(payload: string | Buffer): string {
  return `"${createHash('sha1').update(payload).digest('base64url')}"`;
}

/** RFC 9110 §13.1.2: If-None-Match uses weak comparison, so W/ prefixes are ignored. */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  const strip = (tag: string) => tag.trim().replace(/^W\//, '');
  const wanted = strip(etag);
  return header.split(',').some((candidate) => strip(candidate) === wanted);
}

/**
 * For the public (content) scope: successful GETs get an ETag and shared-cache headers, and a
 * matching If-None-Match turns into a bodiless 304. Everything else must not be cached.
 */
export function registerPublicCaching(scope: FastifyInstance, options: PublicCacheOptions): void {
  const cacheControl = `public, max-age=${options.maxAge}, stale-while-revalidate=${options.staleWhileRevalidate}`;
  scope.addHook(
    'onSend',
    async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
      const cacheable =
        (request.method === 'GET' || request.method === 'HEAD') &&
        reply.statusCode === 200 &&
        (typeof payload === 'string' || Buffer.isBuffer(payload));
      if (!cacheable) {
        reply.header('cache-control', 'no-store');
        return payload;
      }
      const etag = etagFor(payload);
      reply.header('etag', etag).header('cache-control', cacheControl);
      if (ifNoneMatchHits(request.headers['if-none-match'], etag)) {
        reply.code(304);
        reply.removeHeader('content-type');
        reply.removeHeader('content-length');
        return '';
      }
      return payload;
    },
  );
}

/** Editor responses carry unpublished work and personal data: never stored by any cache. */
export function registerNoStore(scope: FastifyInstance): void {
  scope.addHook('onRequest', async (_request: FastifyRequest, reply: FastifyReply) => {
    reply.header('cache-control', 'no-store');
  });
}
