import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { crudRoutes } from '../shared/routes.ts';
import type { NewslettersService } from './newsletters.service.ts';
import {
  adminNewsletterSchema,
  createNewsletterBody,
  updateNewsletterBody,
} from './newsletters.schemas.ts';

export function newsletterAdminRoutes(newsletters: NewslettersService): FastifyPluginAsyncZod {
  return async (app) =>
    crudRoutes(app, newsletters, {
      schema: adminNewsletterSchema,
      order: 'slug',
      bodies: {
        create: createNewsletterBody.meta({ id: 'CreateNewsletterRequest' }),
        update: updateNewsletterBody.meta({ id: 'UpdateNewsletterRequest' }),
      },
      notFound: 'No newsletter with that id.',
      conflicts: { slug: true, inUse: true },
      list: ['listNewsletters', 'editor', 'List newsletters, active or not'],
      get: ['getNewsletter', 'editor', 'Get a newsletter'],
      create: [
        'createNewsletter',
        'editor',
        'Create a newsletter with its cadence, preview link and privacy-policy version',
      ],
      update: [
        'updateNewsletter',
        'editor',
        'Change a newsletter; a new privacyPolicyVersion applies to signups from then on',
      ],
      delete: [
        'deleteNewsletter',
        'editor',
        'Delete a newsletter that never had signups (409 otherwise: deactivate it)',
      ],
    });
}
