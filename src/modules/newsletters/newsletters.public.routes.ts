import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { problemResponses } from '../../errors.ts';
import { pageOf, readPage } from '../../pagination.ts';
import { publicSecurity } from '../../plugins/openapi.ts';
import { pageQuery, publicListEnvelope } from '../../schemas.ts';
import { keys, surrogateKey } from '../shared/content-keys.ts';
import type { NewslettersService } from './newsletters.service.ts';
import { publicNewsletterSchema } from './newsletters.schemas.ts';

export function newsletterPublicRoutes(newsletters: NewslettersService): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '',
      {
        schema: {
          operationId: 'listPublicNewsletters',
          summary: 'Active newsletters a reader can sign up for (no subscriber data)',
          security: publicSecurity,
          querystring: pageQuery,
          response: { 200: publicListEnvelope(publicNewsletterSchema), ...problemResponses(400) },
        },
      },
      async (request, reply) => {
        const page = readPage('slug', request.query);
        const shown = pageOf('slug', page, await newsletters.listActive(page));
        reply.header('surrogate-key', surrogateKey([keys.newsletterList]));
        return { data: shown.items, meta: shown.meta };
      },
    );
  };
}
