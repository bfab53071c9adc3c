import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { crudRoutes } from '../shared/routes.ts';
import type { PagesService } from './pages.service.ts';
import { adminPageSchema, createPageBody, updatePageBody } from './pages.schemas.ts';

export function pageAdminRoutes(pages: PagesService): FastifyPluginAsyncZod {
  return async (app) =>
    crudRoutes(app, pages, {
      schema: adminPageSchema,
      order: 'slug',
      bodies: {
        create: createPageBody.meta({ id: 'CreatePageRequest' }),
        update: updatePageBody.meta({ id: 'UpdatePageRequest' }),
      },
      notFound: 'No page with that id.',
      conflicts: { slug: true, inUse: true },
      list: ['listPages', 'writer', 'List pages alphabetically, drafts included'],
      get: ['getPage', 'writer', 'Get a page with its Markdown body'],
      create: ['createPage', 'editor', 'Create a page (version 1)'],
      update: [
        'updatePage',
        'editor',
        'Change a page; a new title or body is a new version, and old versions stay readable',
      ],
      delete: [
        'deletePage',
        'editor',
        'Delete a page that was never published (409 otherwise: set it to draft)',
      ],
    });
}
