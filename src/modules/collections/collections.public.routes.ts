import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { notFound, problemResponses } from '../../errors.ts';
import { publicSecurity } from '../../plugins/openapi.ts';
import { dataEnvelope, slugParams } from '../../schemas.ts';
import { sendPublicAnswer } from '../shared/public-routes.ts';
import type { PublicCollectionsService } from './collections.public.service.ts';
import { publicCollectionSchema } from './collections.schemas.ts';

export function collectionPublicRoutes(
  collections: PublicCollectionsService,
): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/:slug',
      {
        schema: {
          operationId: 'getPublicCollection',
          summary:
            'A front or section as readers see it: the visible pinned articles in order, then the newest its rule takes',
          security: publicSecurity,
          params: slugParams,
          response: { 200: dataEnvelope(publicCollectionSchema), ...problemResponses(400, 404) },
        },
      },
      async (request, reply) => {
        const answer = await collections.resolve(request.params.slug);
        if (answer === undefined) throw notFound('No collection with that slug.');
        return sendPublicAnswer(request, reply, answer, 'application/json; charset=utf-8');
      },
    );
  };
}
