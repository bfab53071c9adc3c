import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { crudRoutes } from '../shared/routes.ts';
import type { AppealsService } from './appeals.service.ts';
import { adminAppealSchema, createAppealBody, updateAppealBody } from './appeals.schemas.ts';

export function appealAdminRoutes(appeals: AppealsService): FastifyPluginAsyncZod {
  return async (app) =>
    crudRoutes(app, appeals, {
      schema: adminAppealSchema,
      order: 'createdAt',
      bodies: {
        create: createAppealBody.meta({ id: 'CreateAppealRequest' }),
        update: updateAppealBody.meta({ id: 'UpdateAppealRequest' }),
      },
      notFound: 'No appeal with that id.',
      conflicts: { slug: false, inUse: false },
      list: ['listAppeals', 'editor', 'List support appeals, newest first'],
      get: ['getAppeal', 'editor', 'Get a support appeal'],
      create: [
        'createAppeal',
        'editor',
        'Create a support appeal: frequencies with amounts, call to action, placement and window',
      ],
      update: [
        'updateAppeal',
        'editor',
        'Change a support appeal (frequencies are replaced whole)',
      ],
      delete: ['deleteAppeal', 'editor', 'Delete a support appeal'],
    });
}
