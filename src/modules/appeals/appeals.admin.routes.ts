import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  createRoute,
  deleteByIdRoute,
  getByIdRoute,
  listRoute,
  updateRoute,
} from '../shared/routes.ts';
import type { AppealsService } from './appeals.service.ts';
import { adminAppealSchema, createAppealBody, updateAppealBody } from './appeals.schemas.ts';

export function appealAdminRoutes(appeals: AppealsService): FastifyPluginAsyncZod {
  return async (app) => {
    listRoute(app, {
      operationId: 'listAppeals',
      summary: 'List support appeals, newest first',
      minRole: 'editor',
      order: 'createdAt',
      schema: adminAppealSchema,
      list: (page) => appeals.list(page),
    });
    getByIdRoute(app, {
      operationId: 'getAppeal',
      summary: 'Get a support appeal',
      minRole: 'editor',
      schema: adminAppealSchema,
      find: (id) => appeals.findById(id),
      notFound: 'No appeal with that id.',
    });
    createRoute(app, {
      operationId: 'createAppeal',
      summary:
        'Create a support appeal: frequencies with amounts, call to action, placement and window',
      minRole: 'editor',
      body: createAppealBody.meta({ id: 'CreateAppealRequest' }),
      schema: adminAppealSchema,
      conflict: false,
      create: (input) => appeals.create(input),
    });
    updateRoute(app, {
      operationId: 'updateAppeal',
      summary: 'Change a support appeal (frequencies are replaced whole)',
      minRole: 'editor',
      body: updateAppealBody.meta({ id: 'UpdateAppealRequest' }),
      schema: adminAppealSchema,
      conflict: false,
      update: (id, input) => appeals.update(id, input),
    });
    deleteByIdRoute(app, {
      operationId: 'deleteAppeal',
      summary: 'Delete a support appeal',
      minRole: 'editor',
      conflict: false,
      remove: (id) => appeals.delete(id),
    });
  };
}
