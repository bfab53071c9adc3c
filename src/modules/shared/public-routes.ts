import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { notFound, problemResponses } from '../../errors.ts';
import { pageOf, type PageRequest, readPage } from '../../pagination.ts';
import { publicSecurity } from '../../plugins/openapi.ts';
import { dataEnvelope, pageQuery, publicListEnvelope, slugParams } from '../../schemas.ts';
import { type ContentKey, surrogateKey } from './content-keys.ts';
import type { PublicVisibility } from './routes.ts';

type ZodApp = Parameters<FastifyPluginAsyncZod>[0];

/**
 * A public answer rendered ahead of the reply: its body, the content keys it depends on, and
 * until when it holds at most (the next scheduled article falling due, say).
 */
export interface PublicAnswer {
  body: string;
  keys: ContentKey[];
  expiresAt: number | null;
}

/**
 * A public answer too large to hold in memory (a 50,000-URL sitemap): sent as it is produced,
 * a batch at a time. The process cache never stores it; CDNs do, by its keys and max-age.
 */
export interface StreamedAnswer {
  stream: Readable;
  keys: ContentKey[];
}

/** Sends an answer as it is, telling the response cache what it depends on and for how long. */
export function sendPublicAnswer(
  request: FastifyRequest,
  reply: FastifyReply,
  answer: PublicAnswer | StreamedAnswer,
  contentType: string,
): FastifyReply {
  reply.header('surrogate-key', surrogateKey(answer.keys)).type(contentType);
  if ('stream' in answer) return reply.send(answer.stream);
  request.cacheExpiresAt = answer.expiresAt;
  return reply.send(answer.body);
}

/**
 * `GET ''` and `GET /:slug` of a resource readers see only while a visible article carries it
 * (authors, tags): alphabetical pages, 404 until then, and answers that hold until the next
 * scheduled article falls due.
 */
export function visibleResourceRoutes<S extends z.ZodType, T extends { id: string; slug: string }>(
  app: ZodApp,
  options: {
    schema: S;
    list: { operationId: string; summary: string };
    get: { operationId: string; summary: string; notFound: string };
    /** The service's reads of what a reader can see at `now`. */
    service: {
      listVisible: (page: PageRequest<'slug'>, now: Date) => Promise<T[]>;
      findVisibleBySlug: (slug: string, now: Date) => Promise<T | undefined>;
    };
    toPublic: (item: T) => z.input<S>;
    /** The key of the whole list, the key of one item, and what an item embeds (a photo). */
    keys: {
      list: ContentKey;
      item: (id: string) => ContentKey;
      embeds?: (item: T) => ContentKey[];
    };
    visibility: PublicVisibility;
  },
): void {
  const { keys, visibility } = options;
  const embeds = (items: T[]) => items.flatMap((item) => keys.embeds?.(item) ?? []);
  // Widened on purpose, as in routes.ts: the provider cannot resolve replies through a generic.
  const listResponse: Record<number, unknown> = {
    200: publicListEnvelope(options.schema),
    ...problemResponses(400),
  };
  const getResponse: Record<number, unknown> = {
    200: dataEnvelope(options.schema),
    ...problemResponses(400, 404),
  };
  app.get(
    '',
    {
      schema: {
        ...options.list,
        security: publicSecurity,
        querystring: pageQuery,
        response: listResponse,
      },
    },
    async (request, reply) => {
      const now = visibility.now();
      const page = readPage('slug', request.query);
      const shown = pageOf('slug', page, await options.service.listVisible(page, now));
      reply.header('surrogate-key', surrogateKey([keys.list, ...embeds(shown.items)]));
      request.cacheExpiresAt = await visibility.nextChangeAt(now);
      return { data: shown.items.map(options.toPublic), meta: shown.meta };
    },
  );
  app.get(
    '/:slug',
    {
      schema: {
        operationId: options.get.operationId,
        summary: options.get.summary,
        security: publicSecurity,
        params: slugParams,
        response: getResponse,
      },
    },
    async (request, reply) => {
      const now = visibility.now();
      const item = await options.service.findVisibleBySlug(request.params.slug, now);
      if (item === undefined) throw notFound(options.get.notFound);
      reply.header(
        'surrogate-key',
        surrogateKey([keys.list, keys.item(item.id), ...embeds([item])]),
      );
      request.cacheExpiresAt = await visibility.nextChangeAt(now);
      return { data: options.toPublic(item) };
    },
  );
}
