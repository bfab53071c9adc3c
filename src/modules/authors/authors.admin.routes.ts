import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { crudRoutes } from '../shared/routes.ts';
import type { AuthorsService } from './authors.service.ts';
import { adminAuthorSchema, createAuthorBody, updateAuthorBody } from './authors.schemas.ts';

export function authorAdminRoutes(authors: AuthorsService): FastifyPluginAsyncZod {
  return async (app) =>
    crudRoutes(app, authors, {
      schema: adminAuthorSchema,
      order: 'slug',
      bodies: {
        create: createAuthorBody.meta({ id: 'CreateAuthorRequest' }),
        update: updateAuthorBody.meta({ id: 'UpdateAuthorRequest' }),
      },
      notFound: 'No author with that id.',
      conflicts: { slug: true, inUse: true },
      list: ['listAuthors', 'writer', 'List authors with their private fields and the total count'],
      get: ['getAuthor', 'writer', 'Get an author by id, with private fields'],
      create: [
        'createAuthor',
        'writer',
        'Create an author (slug generated from the name when absent; a taken slug is 409)',
      ],
      update: ['updateAuthor', 'editor', 'Change an author; `null` clears an optional field'],
      delete: [
        'deleteAuthor',
        'editor',
        'Delete an author without bylines (409 while articles credit them)',
      ],
    });
}
