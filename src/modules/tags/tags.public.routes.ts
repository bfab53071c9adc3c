import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { keys } from '../shared/content-keys.ts';
import { visibleResourceRoutes } from '../shared/public-routes.ts';
import type { PublicVisibility } from '../shared/routes.ts';
import type { TagsService } from './tags.service.ts';
import { tagSchema } from './tags.schemas.ts';

export function tagPublicRoutes(
  tags: TagsService,
  visibility: PublicVisibility,
): FastifyPluginAsyncZod {
  return async (app) =>
    visibleResourceRoutes(app, {
      schema: tagSchema,
      list: {
        operationId: 'listPublicTags',
        summary: 'Tags carrying at least one published article, alphabetically',
      },
      get: {
        operationId: 'getPublicTag',
        summary: 'Get a tag by slug (404 until it carries a published article)',
        notFound: 'No tag with that slug.',
      },
      service: tags,
      toPublic: (tag) => tag,
      keys: { list: keys.tagList, item: keys.tag },
      visibility,
    });
}
