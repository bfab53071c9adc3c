import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { problemResponses } from '../../errors.ts';
import { slugPage } from '../../pagination.ts';
import { bearerSecurity } from '../../plugins/openapi.ts';
import { adminListEnvelope, dataEnvelope, idParams, pageQuery } from '../../schemas.ts';
import type { NewslettersRepository } from './newsletters.repository.ts';
import {
  adminNewsletterSchema,
  createNewsletterBody,
  updateNewsletterBody,
} from './newsletters.schemas.ts';
import { deleteByIdRoute, getByIdRoute } from '../shared/routes.ts';

const tags = ['Newsletters'];

export function newsletterAdminRoutes(
  newsletters: NewslettersRepository,
  clock: { now: () => Date },
): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '',
      {
        config: { minRole: 'editor' },
        schema: {
          tags,
          operationId: 'listNewsletters',
          summary: 'List newsletters, active or not',
          security: bearerSecurity,
          querystring: pageQuery,
          response: {
            200: adminListEnvelope(adminNewsletterSchema),
            ...problemResponses(400, 401, 403),
          },
        },
      },
      async (request) => {
        const page = await slugPage(request.query, (bounds) =>
          newsletters.list({ ...bounds, activeOnly: false }),
        );
        return { data: page.items, meta: { ...page.meta, total: page.total } };
      },
    );

    getByIdRoute(app, {
      tags: tags,
      operationId: 'getNewsletter',
      summary: 'Get a newsletter',
      minRole: 'editor',
      schema: adminNewsletterSchema,
      find: (id) => newsletters.findById(id),
      notFound: 'No newsletter with that id.',
    });

    app.post(
      '',
      {
        config: { minRole: 'editor' },
        schema: {
          tags,
          operationId: 'createNewsletter',
          summary: 'Create a newsletter with its cadence, preview link and privacy-policy version',
          security: bearerSecurity,
          body: createNewsletterBody.meta({ id: 'CreateNewsletterRequest' }),
          response: {
            201: dataEnvelope(adminNewsletterSchema),
            ...problemResponses(400, 401, 403, 409, 413, 415),
          },
        },
      },
      async (request, reply) => {
        const created = await newsletters.create(request.body, clock.now());
        return reply
          .code(201)
          .header('location', `/v1/admin/newsletters/${created.id}`)
          .send({ data: created });
      },
    );

    app.patch(
      '/:id',
      {
        config: { minRole: 'editor' },
        schema: {
          tags,
          operationId: 'updateNewsletter',
          summary:
            'Change a newsletter; a new privacyPolicyVersion applies to signups from then on',
          security: bearerSecurity,
          params: idParams,
          body: updateNewsletterBody.meta({ id: 'UpdateNewsletterRequest' }),
          response: {
            200: dataEnvelope(adminNewsletterSchema),
            ...problemResponses(400, 401, 403, 404, 409, 413, 415),
          },
        },
      },
      async (request) => ({
        data: await newsletters.update(request.params.id, request.body, clock.now()),
      }),
    );

    deleteByIdRoute(app, {
      tags: tags,
      operationId: 'deleteNewsletter',
      summary: 'Delete a newsletter that never had signups (409 otherwise: deactivate it)',
      minRole: 'editor',
      remove: (id) => newsletters.delete(id),
    });
  };
}
