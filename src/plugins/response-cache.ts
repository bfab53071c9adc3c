import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { etagFor } from '../lib/etag.ts';
import { ifNoneMatchHits, type PublicCacheOptions } from './http-cache.ts';

/**
 * An in-process cache of serialised public responses, keyed by URL. Correctness comes first:
 * - every entry records what it depends on (the same keys as its Surrogate-Key header), and a
 *   write that changes content invalidates exactly the entries naming what it changed;
 * - an entry never outlives the moment its content would change by itself (a scheduled article
 *   falling due, an appeal's window opening or closing): routes set that time per request;
 * - and, as a safety net, no entry lives longer than `maxAgeMs`.
 * Only successful GETs are stored; errors and editor responses never are.
 */
export interface ResponseCache {
  /** Drops every entry that depends on any of `keys` (e.g. `article:<id>`, `tag:russia`, `articles`). */
  invalidate(keys: readonly string[]): void;
  clear(): void;
  readonly size: number;
}

interface Entry {
  /**
   * The bytes as sent: encoded once when stored, so a hit writes them as they are instead of
   * encoding the string again (a 180 KB feed at 2,000 hits a second made that much garbage).
   */
  body: Buffer;
  etag: string;
  contentType: string;
  surrogateKey: string | undefined;
  keys: string[];
  expiresAt: number;
  /** When the content changes by itself (a scheduled article, an embargo lifting), if known. */
  contentExpiresAt: number | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by a public route: its response stops being valid at this time (epoch ms). */
    cacheExpiresAt: number | null;
    /** The cache generation when this request started; a write since then forbids storing. */
    cacheGeneration: number;
  }
}

export interface ResponseCacheOptions {
  maxEntries: number;
  /** Upper bound on the bodies held, in bytes as sent. */
  maxBytes?: number;
  maxAgeMs: number;
  now: () => Date;
}

export function createResponseCache(options: ResponseCacheOptions) {
  // Map iteration order is insertion order: re-inserting on a hit makes it an LRU.
  const entries = new Map<string, Entry>();
  const byKey = new Map<string, Set<string>>();
  // Bumped by every invalidation. A response computed while a write committed may hold the old
  // content; it is served but not stored.
  let generation = 0;
  let bytes = 0;
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;

  function remove(url: string): void {
    const entry = entries.get(url);
    if (entry === undefined) return;
    entries.delete(url);
    bytes -= entry.body.byteLength;
    for (const key of entry.keys) {
      const urls = byKey.get(key);
      urls?.delete(url);
      if (urls?.size === 0) byKey.delete(key);
    }
  }

  const cache = {
    get size() {
      return entries.size;
    },
    get generation() {
      return generation;
    },
    get bytes() {
      return bytes;
    },
    invalidate(keys: readonly string[]) {
      generation += 1;
      for (const key of keys) {
        for (const url of [...(byKey.get(key) ?? [])]) remove(url);
      }
    },
    clear() {
      generation += 1;
      entries.clear();
      byKey.clear();
    },
    lookup(url: string, now: number): Entry | undefined {
      const entry = entries.get(url);
      if (entry === undefined) return undefined;
      if (entry.expiresAt <= now) {
        remove(url);
        return undefined;
      }
      entries.delete(url);
      entries.set(url, entry);
      return entry;
    },
    store(url: string, entry: Entry, startedAtGeneration: number): void {
      if (options.maxEntries === 0 || startedAtGeneration !== generation) return;
      remove(url);
      const size = entry.body.byteLength;
      if (size > maxBytes) return;
      while (entries.size >= options.maxEntries || bytes + size > maxBytes) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        remove(oldest);
      }
      entries.set(url, entry);
      bytes += size;
      for (const key of entry.keys) {
        let urls = byKey.get(key);
        if (urls === undefined) {
          urls = new Set();
          byKey.set(key, urls);
        }
        urls.add(url);
      }
    },
  };

  return cache;
}

export type InternalCache = ReturnType<typeof createResponseCache>;

/**
 * For the public scope, in place of per-response ETag hashing: a hit is answered from memory
 * (304 when the ETag matches) before any route work; a miss is served normally and stored.
 */
export function registerCachedPublicResponses(
  scope: FastifyInstance,
  cache: InternalCache,
  options: PublicCacheOptions & { maxAgeMs: number; now: () => Date },
): void {
  const standing = `public, max-age=${options.maxAge}, stale-while-revalidate=${options.staleWhileRevalidate}`;
  /**
   * Shared caches may keep an answer no longer than its content holds: one that changes by
   * itself before max-age and the stale window are over (an embargo lifting in 30 s) gets a
   * max-age that ends then, and no stale window.
   */
  const cacheControl = (contentExpiresAt: number | null): string => {
    if (contentExpiresAt === null) return standing;
    const left = contentExpiresAt - options.now().getTime();
    if (left >= (options.maxAge + options.staleWhileRevalidate) * 1000) return standing;
    return `public, max-age=${Math.max(0, Math.min(options.maxAge, Math.floor(left / 1000)))}`;
  };
  scope.decorateRequest('cacheExpiresAt', null);
  scope.decorateRequest('cacheGeneration', 0);

  scope.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return;
    request.cacheGeneration = cache.generation;
    const entry = cache.lookup(request.url, options.now().getTime());
    if (entry === undefined) return;
    reply
      .header('etag', entry.etag)
      .header('cache-control', cacheControl(entry.contentExpiresAt))
      .header('x-cache', 'hit');
    if (entry.surrogateKey !== undefined) reply.header('surrogate-key', entry.surrogateKey);
    if (ifNoneMatchHits(request.headers['if-none-match'], entry.etag)) {
      return reply.code(304).send();
    }
    return reply.code(200).type(entry.contentType).send(entry.body);
  });

  scope.addHook(
    'onSend',
    async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
      if (reply.getHeader('x-cache') === 'hit') return payload;
      // A streamed answer (too large to hold: a 50,000-URL sitemap) is not stored here, but it
      // is public content with its keys, so CDNs may keep it.
      if (
        reply.statusCode === 200 &&
        payload instanceof Readable &&
        reply.hasHeader('surrogate-key')
      ) {
        reply.header('cache-control', cacheControl(null)).header('x-cache', 'bypass');
        return payload;
      }
      const cacheable =
        (request.method === 'GET' || request.method === 'HEAD') &&
        reply.statusCode === 200 &&
        typeof payload === 'string';
      if (!cacheable) {
        reply.header('cache-control', 'no-store');
        return payload;
      }
      // Documents rendered ahead of time come with their ETag; anything else is hashed here.
      const ready = reply.getHeader('etag');
      const etag = typeof ready === 'string' ? ready : etagFor(payload);
      reply
        .header('etag', etag)
        .header('cache-control', cacheControl(request.cacheExpiresAt))
        .header('x-cache', 'miss');
      const surrogateKey = reply.getHeader('surrogate-key');
      const keys = typeof surrogateKey === 'string' ? surrogateKey.split(' ').filter(Boolean) : [];
      // Entries without dependency keys cannot be invalidated precisely: only the TTL bounds them.
      const now = options.now().getTime();
      const expiresAt = Math.min(
        now + options.maxAgeMs,
        request.cacheExpiresAt ?? Number.POSITIVE_INFINITY,
      );
      if (keys.length > 0 && expiresAt > now) {
        cache.store(
          request.url,
          {
            body: Buffer.from(payload),
            etag,
            contentType: String(
              reply.getHeader('content-type') ?? 'application/json; charset=utf-8',
            ),
            surrogateKey: typeof surrogateKey === 'string' ? surrogateKey : undefined,
            keys,
            expiresAt,
            contentExpiresAt: request.cacheExpiresAt,
          },
          request.cacheGeneration,
        );
      }
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
