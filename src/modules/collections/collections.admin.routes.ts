import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problemResponses } from '../../errors.ts';
import { bearerSecurity } from '../../plugins/openapi.ts';
import { dataEnvelope, idParams } from '../../schemas.ts';
import { listRoute } from '../shared/routes.ts';
import { ifMatchHeaders, parseIfMatch, sendVersioned } from '../shared/versions.ts';
import {
  adminCollectionSchema,
  createCollectionBody,
  updateCollectionBody,
} from './collections.schemas.ts';
import type { CollectionsService } from './collections.service.ts';

// Editors' fronts and sections. Changes need If-Match with the version loaded (the ETag), so
// two editors reordering one front at once never lose a move: the second gets 412.

const collection = dataEnvelope(adminCollectionSchema);

export function collectionAdminRoutes(collections: CollectionsService): FastifyPluginAsyncZod {
  return async (app) => {
    listRoute(app, {
      operationId: 'listCollections',
      summary: 'List fronts and sections alphabetically by slug',
      minRole: 'writer',
      order: 'slug',
      schema: adminCollectionSchema,
      list: (page) => collections.list(page),
    });

    app.get(
      '/:id',
      {
        config: { minRole: 'writer' },
        schema: {
          operationId: 'getCollection',
          summary: 'Get a front or section with its pinned slots; the ETag is its version',
          security: bearerSecurity,
          params: idParams,
          response: { 200: collection, ...problemResponses(400, 401, 403, 404) },
        },
      },
      async (request, reply) => sendVersioned(reply, await collections.get(request.params.id)),
    );

    app.post(
      '',
      {
        config: { minRole: 'editor' },
        schema: {
          operationId: 'createCollection',
          summary: 'Create a front or section (version 1)',
          security: bearerSecurity,
          body: createCollectionBody.meta({ id: 'CreateCollectionRequest' }),
          response: { 201: collection, ...problemResponses(400, 401, 403, 409, 413, 415) },
        },
      },
      async (request, reply) => {
        const created = await collections.create(request.body);
        reply.header('location', `/v1/admin/collections/${created.id}`);
        return sendVersioned(reply, created, 201);
      },
    );

    app.patch(
      '/:id',
      {
        config: { minRole: 'editor' },
        schema: {
          operationId: 'updateCollection',
          summary:
            'Reorder, pin, unpin and replace slots (send the whole `items` list), change the rule, name or size; needs If-Match',
          security: bearerSecurity,
          params: idParams,
          headers: ifMatchHeaders,
          body: updateCollectionBody.meta({ id: 'UpdateCollectionRequest' }),
          response: {
            200: collection,
            ...problemResponses(400, 401, 403, 404, 409, 412, 413, 415, 428),
          },
        },
      },
      async (request, reply) =>
        sendVersioned(
          reply,
          await collections.update(
            request.params.id,
            parseIfMatch(request.headers['if-match']),
            request.body,
          ),
        ),
    );

    app.delete(
      '/:id',
      {
        config: { minRole: 'editor' },
        schema: {
          operationId: 'deleteCollection',
          summary: 'Delete a front or section (its public address answers 404); needs If-Match',
          security: bearerSecurity,
          params: idParams,
          headers: ifMatchHeaders,
          response: {
            204: z.null().meta({ description: 'Deleted' }),
            ...problemResponses(400, 401, 403, 404, 412, 428),
          },
        },
      },
      async (request, reply) => {
        await collections.delete(request.params.id, parseIfMatch(request.headers['if-match']));
        return reply.code(204).send(null);
      },
    );
  };
}
