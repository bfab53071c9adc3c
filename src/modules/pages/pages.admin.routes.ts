import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { problemResponses } from '../../errors.ts';
import { slugPage } from '../../pagination.ts';
import { bearerSecurity } from '../../plugins/openapi.ts';
import { adminListEnvelope, dataEnvelope, idParams, pageQuery } from '../../schemas.ts';
import type { PagesRepository } from './pages.repository.ts';
import { adminPageSchema, createPageBody, updatePageBody } from './pages.schemas.ts';
import { deleteByIdRoute, getByIdRoute } from '../shared/routes.ts';

const tags = ['Pages'];

export function pageAdminRoutes(
  pages: PagesRepository,
  clock: { now: () => Date },
): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '',
      {
        config: { minRole: 'writer' },
        schema: {
          tags,
          operationId: 'listPages',
          summary: 'List pages alphabetically, drafts included',
          security: bearerSecurity,
          querystring: pageQuery,
          response: { 200: adminListEnvelope(adminPageSchema), ...problemResponses(400, 401, 403) },
        },
      },
      async (request) => {
        const page = await slugPage(request.query, (bounds) => pages.list(bounds));
        return { data: page.items, meta: { ...page.meta, total: page.total } };
      },
    );

    getByIdRoute(app, {
      tags: tags,
      operationId: 'getPage',
      summary: 'Get a page with its Markdown body',
      minRole: 'writer',
      schema: adminPageSchema,
      find: (id) => pages.findById(id),
      notFound: 'No page with that id.',
    });

    app.post(
      '',
      {
        config: { minRole: 'editor' },
        schema: {
          tags,
          operationId: 'createPage',
          summary: 'Create a page (version 1)',
          security: bearerSecurity,
          body: createPageBody.meta({ id: 'CreatePageRequest' }),
          response: {
            201: dataEnvelope(adminPageSchema),
            ...problemResponses(400, 401, 403, 409, 413, 415),
          },
        },
      },
      async (request, reply) => {
        const page = await pages.create(request.body, clock.now());
        return reply
          .code(201)
          .header('location', `/v1/admin/pages/${page.id}`)
          .send({ data: page });
      },
    );

    app.patch(
      '/:id',
      {
        config: { minRole: 'editor' },
        schema: {
          tags,
          operationId: 'updatePage',
          summary:
            'Change a page; a new title or body is a new version, and old versions stay readable',
          security: bearerSecurity,
          params: idParams,
          body: updatePageBody.meta({ id: 'UpdatePageRequest' }),
          response: {
            200: dataEnvelope(adminPageSchema),
            ...problemResponses(400, 401, 403, 404, 409, 413, 415),
          },
        },
      },
      async (request) => ({
        data: await pages.update(request.params.id, request.body, clock.now()),
      }),
    );

    deleteByIdRoute(app, {
      tags: tags,
      operationId: 'deletePage',
      summary: 'Delete a page that was never published (409 otherwise: set it to draft)',
      minRole: 'editor',
      remove: (id) => pages.delete(id),
    });
  };
}
