import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { problemResponses } from '../../errors.ts';
import { slugPage } from '../../pagination.ts';
import { publicSecurity } from '../../plugins/openapi.ts';
import { pageQuery, publicListEnvelope } from '../../schemas.ts';
import type { NewslettersRepository } from './newsletters.repository.ts';
import {
  type AdminNewsletter,
  type PublicNewsletter,
  publicNewsletterSchema,
} from './newsletters.schemas.ts';
import { keys, surrogateKey } from '../shared/content-keys.ts';

const tags = ['Newsletters'];

function toPublic({
  active: _active,
  createdAt: _createdAt,
  updatedAt: _updatedAt,
  ...rest
}: AdminNewsletter): PublicNewsletter {
  return rest;
}

export function newsletterPublicRoutes(newsletters: NewslettersRepository): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '',
      {
        schema: {
          tags,
          operationId: 'listPublicNewsletters',
          summary: 'Active newsletters a reader can sign up for (no subscriber data)',
          security: publicSecurity,
          querystring: pageQuery,
          response: { 200: publicListEnvelope(publicNewsletterSchema), ...problemResponses(400) },
        },
      },
      async (request, reply) => {
        const page = await slugPage(request.query, (bounds) =>
          newsletters.list({ ...bounds, activeOnly: true }),
        );
        reply.header('surrogate-key', surrogateKey([keys.newsletterList]));
        return { data: page.items.map(toPublic), meta: page.meta };
      },
    );
  };
}
