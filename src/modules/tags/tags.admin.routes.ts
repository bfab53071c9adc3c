import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { crudRoutes } from '../shared/routes.ts';
import type { TagsService } from './tags.service.ts';
import { createTagBody, tagSchema, updateTagBody } from './tags.schemas.ts';

export function tagAdminRoutes(tags: TagsService): FastifyPluginAsyncZod {
  return async (app) =>
    crudRoutes(app, tags, {
      schema: tagSchema,
      order: 'slug',
      bodies: {
        create: createTagBody.meta({ id: 'CreateTagRequest' }),
        update: updateTagBody.meta({ id: 'UpdateTagRequest' }),
      },
      notFound: 'No tag with that id.',
      conflicts: { slug: true, inUse: true },
      list: ['listTags', 'writer', 'List tags alphabetically, with the total count'],
      get: ['getTag', 'writer', 'Get a tag by id'],
      create: [
        'createTag',
        'writer',
        'Create a tag (slug generated from the name when absent; a taken slug is 409)',
      ],
      update: ['updateTag', 'editor', 'Change a tag; `null` clears the description'],
      delete: ['deleteTag', 'editor', 'Delete a tag that no article uses (409 otherwise)'],
    });
}
