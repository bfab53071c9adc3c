import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { problemResponses } from '../../errors.ts';
import { slugPage } from '../../pagination.ts';
import { bearerSecurity } from '../../plugins/openapi.ts';
import { adminListEnvelope, dataEnvelope, idParams, pageQuery } from '../../schemas.ts';
import { type AuthorsRepository } from './authors.repository.ts';
import { adminAuthorSchema, createAuthorBody, updateAuthorBody } from './authors.schemas.ts';
import { deleteByIdRoute, getByIdRoute } from '../shared/routes.ts';

const tags = ['Authors'];

export function authorAdminRoutes(
  authors: AuthorsRepository,
  clock: { now: () => Date },
): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '',
      {
        config: { minRole: 'writer' },
        schema: {
          tags,
          operationId: 'listAuthors',
          summary: 'List authors with their private fields and the total count',
          security: bearerSecurity,
          querystring: pageQuery,
          response: {
            200: adminListEnvelope(adminAuthorSchema),
            ...problemResponses(400, 401, 403),
          },
        },
      },
      async (request) => {
        const page = await slugPage(request.query, (bounds) =>
          authors.list({ ...bounds, withTotal: true }),
        );
        return {
          data: page.items,
          meta: { ...page.meta, total: page.total },
        };
      },
    );

    getByIdRoute(app, {
      tags: tags,
      operationId: 'getAuthor',
      summary: 'Get an author by id, with private fields',
      minRole: 'writer',
      schema: adminAuthorSchema,
      find: (id) => authors.findById(id),
      notFound: 'No author with that id.',
    });

    app.post(
      '',
      {
        config: { minRole: 'writer' },
        schema: {
          tags,
          operationId: 'createAuthor',
          summary:
            'Create an author (slug generated from the name when absent; a taken slug is 409)',
          security: bearerSecurity,
          body: createAuthorBody.meta({ id: 'CreateAuthorRequest' }),
          response: {
            201: dataEnvelope(adminAuthorSchema),
            ...problemResponses(400, 401, 403, 409, 413, 415),
          },
        },
      },
      async (request, reply) => {
        const author = await authors.create(request.body, clock.now());
        return reply
          .code(201)
          .header('location', `/v1/admin/authors/${author.id}`)
          .send({ data: author });
      },
    );

    app.patch(
      '/:id',
      {
        config: { minRole: 'editor' },
        schema: {
          tags,
          operationId: 'updateAuthor',
          summary: 'Change an author; `null` clears an optional field',
          security: bearerSecurity,
          params: idParams,
          body: updateAuthorBody.meta({ id: 'UpdateAuthorRequest' }),
          response: {
            200: dataEnvelope(adminAuthorSchema),
            ...problemResponses(400, 401, 403, 404, 409, 413, 415),
          },
        },
      },
      async (request) => ({
        data: await authors.update(request.params.id, request.body, clock.now()),
      }),
    );

    deleteByIdRoute(app, {
      tags: tags,
      operationId: 'deleteAuthor',
      summary: 'Delete an author without bylines (409 while articles credit them)',
      minRole: 'editor',
      remove: (id) => authors.delete(id),
    });
  };
}
