import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { notFound, problemResponses } from '../../errors.ts';
import { publicSecurity } from '../../plugins/openapi.ts';
import { dataEnvelope, slugParams } from '../../schemas.ts';
import type { PagesService } from './pages.service.ts';
import { pageVersionParams, publicPageSchema } from './pages.schemas.ts';
import { keys, surrogateKey } from '../shared/content-keys.ts';

export function pagePublicRoutes(pages: PagesService): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/:slug',
      {
        schema: {
          operationId: 'getPublicPage',
          summary: 'A published page (privacy policy, about, …) in its current version',
          security: publicSecurity,
          params: slugParams,
          response: { 200: dataEnvelope(publicPageSchema), ...problemResponses(400, 404) },
        },
      },
      async (request, reply) => {
        const found = await pages.findPublished(request.params.slug);
        if (found === undefined) throw notFound('No published page with that slug.');
        // The key every write to the page purges.
        reply.header('surrogate-key', surrogateKey([keys.pageList, keys.page(found.id)]));
        return { data: found.page };
      },
    );

    app.get(
      '/:slug/versions/:version',
      {
        schema: {
          operationId: 'getPublicPageVersion',
          summary:
            'The exact text of one version of a published page, e.g. the policy a subscriber agreed to',
          security: publicSecurity,
          params: pageVersionParams,
          response: { 200: dataEnvelope(publicPageSchema), ...problemResponses(400, 404) },
        },
      },
      async (request, reply) => {
        const found = await pages.findPublishedVersion(request.params.slug, request.params.version);
        if (found === undefined) throw notFound('No such version of a published page.');
        reply.header('surrogate-key', surrogateKey([keys.pageList, keys.page(found.id)]));
        return { data: found.page };
      },
    );
  };
}
