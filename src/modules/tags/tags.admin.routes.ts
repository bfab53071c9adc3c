import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { problemResponses } from '../../errors.ts';
import { slugPage } from '../../pagination.ts';
import { bearerSecurity } from '../../plugins/openapi.ts';
import { adminListEnvelope, dataEnvelope, idParams, pageQuery } from '../../schemas.ts';
import type { TagsRepository } from './tags.repository.ts';
import { createTagBody, tagSchema, updateTagBody } from './tags.schemas.ts';
import { deleteByIdRoute, getByIdRoute } from '../shared/routes.ts';

const openApiTags = ['Tags'];

export function tagAdminRoutes(
  tags: TagsRepository,
  clock: { now: () => Date },
): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '',
      {
        config: { minRole: 'writer' },
        schema: {
          tags: openApiTags,
          operationId: 'listTags',
          summary: 'List tags alphabetically, with the total count',
          security: bearerSecurity,
          querystring: pageQuery,
          response: { 200: adminListEnvelope(tagSchema), ...problemResponses(400, 401, 403) },
        },
      },
      async (request) => {
        const page = await slugPage(request.query, (bounds) =>
          tags.list({ ...bounds, withTotal: true }),
        );
        return {
          data: page.items,
          meta: { ...page.meta, total: page.total },
        };
      },
    );

    getByIdRoute(app, {
      tags: openApiTags,
      operationId: 'getTag',
      summary: 'Get a tag by id',
      minRole: 'writer',
      schema: tagSchema,
      find: (id) => tags.findById(id),
      notFound: 'No tag with that id.',
    });

    app.post(
      '',
      {
        config: { minRole: 'writer' },
        schema: {
          tags: openApiTags,
          operationId: 'createTag',
          summary: 'Create a tag (slug generated from the name when absent; a taken slug is 409)',
          security: bearerSecurity,
          body: createTagBody.meta({ id: 'CreateTagRequest' }),
          response: {
            201: dataEnvelope(tagSchema),
            ...problemResponses(400, 401, 403, 409, 413, 415),
          },
        },
      },
      async (request, reply) => {
        const tag = await tags.create(request.body, clock.now());
        return reply.code(201).header('location', `/v1/admin/tags/${tag.id}`).send({ data: tag });
      },
    );

    app.patch(
      '/:id',
      {
        config: { minRole: 'editor' },
        schema: {
          tags: openApiTags,
          operationId: 'updateTag',
          summary: 'Change a tag; `null` clears the description',
          security: bearerSecurity,
          params: idParams,
          body: updateTagBody.meta({ id: 'UpdateTagRequest' }),
          response: {
            200: dataEnvelope(tagSchema),
            ...problemResponses(400, 401, 403, 404, 409, 413, 415),
          },
        },
      },
      async (request) => ({
        data: await tags.update(request.params.id, request.body, clock.now()),
      }),
    );

    deleteByIdRoute(app, {
      tags: openApiTags,
      operationId: 'deleteTag',
      summary: 'Delete a tag that no article uses (409 otherwise)',
      minRole: 'editor',
      remove: (id) => tags.delete(id),
    });
  };
}
