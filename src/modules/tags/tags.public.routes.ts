import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { notFound, problemResponses } from '../../errors.ts';
import { pageOf, readPage } from '../../pagination.ts';
import { publicSecurity } from '../../plugins/openapi.ts';
import { dataEnvelope, pageQuery, publicListEnvelope, slugParams } from '../../schemas.ts';
import { keys, surrogateKey } from '../shared/content-keys.ts';
import type { PublicVisibility } from '../shared/routes.ts';
import type { TagsService } from './tags.service.ts';
import { tagSchema } from './tags.schemas.ts';

export function tagPublicRoutes(
  tags: TagsService,
  visibility: PublicVisibility,
): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '',
      {
        schema: {
          operationId: 'listPublicTags',
          summary: 'Tags carrying at least one published article, alphabetically',
          security: publicSecurity,
          querystring: pageQuery,
          response: { 200: publicListEnvelope(tagSchema), ...problemResponses(400) },
        },
      },
      async (request, reply) => {
        const now = visibility.now();
        const page = readPage('slug', request.query);
        const shown = pageOf('slug', page, await tags.listVisible(page, now));
        reply.header('surrogate-key', surrogateKey([keys.tagList]));
        request.cacheExpiresAt = await visibility.nextChangeAt(now);
        return { data: shown.items, meta: shown.meta };
      },
    );

    app.get(
      '/:slug',
      {
        schema: {
          operationId: 'getPublicTag',
          summary: 'Get a tag by slug (404 until it carries a published article)',
          security: publicSecurity,
          params: slugParams,
          response: { 200: dataEnvelope(tagSchema), ...problemResponses(400, 404) },
        },
      },
      async (request, reply) => {
        const now = visibility.now();
        const tag = await tags.findVisibleBySlug(request.params.slug, now);
        if (tag === undefined) throw notFound('No tag with that slug.');
        reply.header('surrogate-key', surrogateKey([keys.tagList, keys.tag(tag.id)]));
        request.cacheExpiresAt = await visibility.nextChangeAt(now);
        return { data: tag };
      },
    );
  };
}
