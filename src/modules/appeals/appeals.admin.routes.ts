import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problemResponses } from '../../errors.ts';
import { pageLimit, readCursor, toPage } from '../../pagination.ts';
import { bearerSecurity } from '../../plugins/openapi.ts';
import { adminListEnvelope, dataEnvelope, idParams, pageQuery } from '../../schemas.ts';
import type { AppealsRepository } from './appeals.repository.ts';
import { adminAppealSchema, createAppealBody, updateAppealBody } from './appeals.schemas.ts';
import { deleteByIdRoute, getByIdRoute } from '../shared/routes.ts';

const tags = ['Appeals'];
const cursorShape = z.tuple([z.number().int(), z.string()]);

export function appealAdminRoutes(
  appeals: AppealsRepository,
  clock: { now: () => Date },
): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '',
      {
        config: { minRole: 'editor' },
        schema: {
          tags,
          operationId: 'listAppeals',
          summary: 'List support appeals, newest first',
          security: bearerSecurity,
          querystring: pageQuery,
          response: {
            200: adminListEnvelope(adminAppealSchema),
            ...problemResponses(400, 401, 403),
          },
        },
      },
      async (request) => {
        const limit = pageLimit(request.query.limit);
        const { items, total } = await appeals.list({
          limit,
          after: readCursor(request.query.cursor, cursorShape),
        });
        const page = toPage(items, limit, (appeal) => [Date.parse(appeal.createdAt), appeal.id]);
        return { data: page.items, meta: { limit, nextCursor: page.nextCursor, total } };
      },
    );

    getByIdRoute(app, {
      tags: tags,
      operationId: 'getAppeal',
      summary: 'Get a support appeal',
      minRole: 'editor',
      schema: adminAppealSchema,
      find: (id) => appeals.findById(id),
      notFound: 'No appeal with that id.',
    });

    app.post(
      '',
      {
        config: { minRole: 'editor' },
        schema: {
          tags,
          operationId: 'createAppeal',
          summary:
            'Create a support appeal: frequencies with amounts, call to action, placement and window',
          security: bearerSecurity,
          body: createAppealBody.meta({ id: 'CreateAppealRequest' }),
          response: {
            201: dataEnvelope(adminAppealSchema),
            ...problemResponses(400, 401, 403, 413, 415),
          },
        },
      },
      async (request, reply) => {
        const appeal = await appeals.create(request.body, clock.now());
        return reply
          .code(201)
          .header('location', `/v1/admin/appeals/${appeal.id}`)
          .send({ data: appeal });
      },
    );

    app.patch(
      '/:id',
      {
        config: { minRole: 'editor' },
        schema: {
          tags,
          operationId: 'updateAppeal',
          summary: 'Change a support appeal (frequencies are replaced whole)',
          security: bearerSecurity,
          params: idParams,
          body: updateAppealBody.meta({ id: 'UpdateAppealRequest' }),
          response: {
            200: dataEnvelope(adminAppealSchema),
            ...problemResponses(400, 401, 403, 404, 413, 415),
          },
        },
      },
      async (request) => ({
        data: await appeals.update(request.params.id, request.body, clock.now()),
      }),
    );

    deleteByIdRoute(app, {
      tags: tags,
      operationId: 'deleteAppeal',
      summary: 'Delete a support appeal',
      minRole: 'editor',
      remove: (id) => appeals.delete(id),
      conflict: false,
    });
  };
}
