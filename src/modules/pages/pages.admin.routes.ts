import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  createRoute,
  deleteByIdRoute,
  getByIdRoute,
  listRoute,
  updateRoute,
} from '../shared/routes.ts';
import type { PagesService } from './pages.service.ts';
import { adminPageSchema, createPageBody, updatePageBody } from './pages.schemas.ts';

export function pageAdminRoutes(pages: PagesService): FastifyPluginAsyncZod {
  return async (app) => {
    listRoute(app, {
      operationId: 'listPages',
      summary: 'List pages alphabetically, drafts included',
      minRole: 'writer',
      order: 'slug',
      schema: adminPageSchema,
      list: (page) => pages.list(page),
    });
    getByIdRoute(app, {
      operationId: 'getPage',
      summary: 'Get a page with its Markdown body',
      minRole: 'writer',
      schema: adminPageSchema,
      find: (id) => pages.findById(id),
      notFound: 'No page with that id.',
    });
    createRoute(app, {
      operationId: 'createPage',
      summary: 'Create a page (version 1)',
      minRole: 'editor',
      body: createPageBody.meta({ id: 'CreatePageRequest' }),
      schema: adminPageSchema,
      conflict: true,
      create: (input) => pages.create(input),
    });
    updateRoute(app, {
      operationId: 'updatePage',
      summary:
        'Change a page; a new title or body is a new version, and old versions stay readable',
      minRole: 'editor',
      body: updatePageBody.meta({ id: 'UpdatePageRequest' }),
      schema: adminPageSchema,
      conflict: true,
      update: (id, input) => pages.update(id, input),
    });
    deleteByIdRoute(app, {
      operationId: 'deletePage',
      summary: 'Delete a page that was never published (409 otherwise: set it to draft)',
      minRole: 'editor',
      conflict: true,
      remove: (id) => pages.delete(id),
    });
  };
}
