import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  createRoute,
  deleteByIdRoute,
  getByIdRoute,
  listRoute,
  updateRoute,
} from '../shared/routes.ts';
import type { TagsService } from './tags.service.ts';
import { createTagBody, tagSchema, updateTagBody } from './tags.schemas.ts';

export function tagAdminRoutes(tags: TagsService): FastifyPluginAsyncZod {
  return async (app) => {
    listRoute(app, {
      operationId: 'listTags',
      summary: 'List tags alphabetically, with the total count',
      minRole: 'writer',
      order: 'slug',
      schema: tagSchema,
      list: (page) => tags.list(page),
    });
    getByIdRoute(app, {
      operationId: 'getTag',
      summary: 'Get a tag by id',
      minRole: 'writer',
      schema: tagSchema,
      find: (id) => tags.findById(id),
      notFound: 'No tag with that id.',
    });
    createRoute(app, {
      operationId: 'createTag',
      summary: 'Create a tag (slug generated from the name when absent; a taken slug is 409)',
      minRole: 'writer',
      body: createTagBody.meta({ id: 'CreateTagRequest' }),
      schema: tagSchema,
      conflict: true,
      create: (input) => tags.create(input),
    });
    updateRoute(app, {
      operationId: 'updateTag',
      summary: 'Change a tag; `null` clears the description',
      minRole: 'editor',
      body: updateTagBody.meta({ id: 'UpdateTagRequest' }),
      schema: tagSchema,
      conflict: true,
      update: (id, input) => tags.update(id, input),
    });
    deleteByIdRoute(app, {
      operationId: 'deleteTag',
      summary: 'Delete a tag that no article uses (409 otherwise)',
      minRole: 'editor',
      conflict: true,
      remove: (id) => tags.delete(id),
    });
  };
}
