import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  createRoute,
  deleteByIdRoute,
  getByIdRoute,
  listRoute,
  updateRoute,
} from '../shared/routes.ts';
import type { NewslettersService } from './newsletters.service.ts';
import {
  adminNewsletterSchema,
  createNewsletterBody,
  updateNewsletterBody,
} from './newsletters.schemas.ts';

export function newsletterAdminRoutes(newsletters: NewslettersService): FastifyPluginAsyncZod {
  return async (app) => {
    listRoute(app, {
      operationId: 'listNewsletters',
      summary: 'List newsletters, active or not',
      minRole: 'editor',
      order: 'slug',
      schema: adminNewsletterSchema,
      list: (page) => newsletters.list(page),
    });
    getByIdRoute(app, {
      operationId: 'getNewsletter',
      summary: 'Get a newsletter',
      minRole: 'editor',
      schema: adminNewsletterSchema,
      find: (id) => newsletters.findById(id),
      notFound: 'No newsletter with that id.',
    });
    createRoute(app, {
      operationId: 'createNewsletter',
      summary: 'Create a newsletter with its cadence, preview link and privacy-policy version',
      minRole: 'editor',
      body: createNewsletterBody.meta({ id: 'CreateNewsletterRequest' }),
      schema: adminNewsletterSchema,
      conflict: true,
      create: (input) => newsletters.create(input),
    });
    updateRoute(app, {
      operationId: 'updateNewsletter',
      summary: 'Change a newsletter; a new privacyPolicyVersion applies to signups from then on',
      minRole: 'editor',
      body: updateNewsletterBody.meta({ id: 'UpdateNewsletterRequest' }),
      schema: adminNewsletterSchema,
      conflict: true,
      update: (id, input) => newsletters.update(id, input),
    });
    deleteByIdRoute(app, {
      operationId: 'deleteNewsletter',
      summary: 'Delete a newsletter that never had signups (409 otherwise: deactivate it)',
      minRole: 'editor',
      conflict: true,
      remove: (id) => newsletters.delete(id),
    });
  };
}
