import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface PublicCacheOptions {
  maxAge: number;
  staleWhileRevalidate: number;
}

/** RFC 9110 §13.1.2: If-None-Match uses weak comparison, so W/ prefixes are ignored. */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  const strip = (tag: string) => tag.trim().replace(/^W\//, '');
  const wanted = strip(etag);
  return header.split(',').some((candidate) => strip(candidate) === wanted);
}

/** Preview responses show unpublished work to whoever holds a link: kept out of every cache and index. */
export function registerPrivatePreview(scope: FastifyInstance): void {
  scope.addHook('onRequest', async (_request: FastifyRequest, reply: FastifyReply) => {
    reply
      .header('cache-control', 'private, no-store')
      .header('x-robots-tag', 'noindex, nofollow')
      .header('referrer-policy', 'no-referrer');
  });
}

/**
 * Cloudflare tags a cached response by its `Cache-Tag` header (comma-separated) and purges by
 * those tags: each public response names there the keys its Surrogate-Key header names.
 */
export function registerCacheTags(scope: FastifyInstance): void {
  scope.addHook('onSend', async (_request: FastifyRequest, reply: FastifyReply, payload) => {
    const surrogateKey = reply.getHeader('surrogate-key');
    if (typeof surrogateKey === 'string' && surrogateKey !== '')
      reply.header('cache-tag', surrogateKey.split(' ').join(','));
    return payload;
  });
}

/** Editor responses carry unpublished work and personal data: never stored by any cache. */
export function registerNoStore(scope: FastifyInstance): void {
  scope.addHook('onRequest', async (_request: FastifyRequest, reply: FastifyReply) => {
    reply.header('cache-control', 'no-store');
  });
}
