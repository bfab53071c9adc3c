import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  createRoute,
  deleteByIdRoute,
  getByIdRoute,
  listRoute,
  updateRoute,
} from '../shared/routes.ts';
import type { AuthorsService } from './authors.service.ts';
import { adminAuthorSchema, createAuthorBody, updateAuthorBody } from './authors.schemas.ts';

export function authorAdminRoutes(authors: AuthorsService): FastifyPluginAsyncZod {
  return async (app) => {
    listRoute(app, {
      operationId: 'listAuthors',
      summary: 'List authors with their private fields and the total count',
      minRole: 'writer',
      order: 'slug',
      schema: adminAuthorSchema,
      list: (page) => authors.list(page),
    });
    getByIdRoute(app, {
      operationId: 'getAuthor',
      summary: 'Get an author by id, with private fields',
      minRole: 'writer',
      schema: adminAuthorSchema,
      find: (id) => authors.findById(id),
      notFound: 'No author with that id.',
    });
    createRoute(app, {
      operationId: 'createAuthor',
      summary: 'Create an author (slug generated from the name when absent; a taken slug is 409)',
      minRole: 'writer',
      body: createAuthorBody.meta({ id: 'CreateAuthorRequest' }),
      schema: adminAuthorSchema,
      conflict: true,
      create: (input) => authors.create(input),
    });
    updateRoute(app, {
      operationId: 'updateAuthor',
      summary: 'Change an author; `null` clears an optional field',
      minRole: 'editor',
      body: updateAuthorBody.meta({ id: 'UpdateAuthorRequest' }),
      schema: adminAuthorSchema,
      conflict: true,
      update: (id, input) => authors.update(id, input),
    });
    deleteByIdRoute(app, {
      operationId: 'deleteAuthor',
      summary: 'Delete an author without bylines (409 while articles credit them)',
      minRole: 'editor',
      conflict: true,
      remove: (id) => authors.delete(id),
    });
  };
}
