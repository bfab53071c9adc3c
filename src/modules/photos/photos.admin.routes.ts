import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  createRoute,
  deleteByIdRoute,
  getByIdRoute,
  listRoute,
  updateRoute,
} from '../shared/routes.ts';
import type { PhotosService } from './photos.service.ts';
import { createPhotoBody, photoSchema, updatePhotoBody } from './photos.schemas.ts';

export function photoAdminRoutes(photos: PhotosService): FastifyPluginAsyncZod {
  return async (app) => {
    listRoute(app, {
      operationId: 'listPhotos',
      summary: 'List photos, newest first',
      minRole: 'writer',
      order: 'createdAt',
      schema: photoSchema,
      list: (page) => photos.list(page),
    });
    getByIdRoute(app, {
      operationId: 'getPhoto',
      summary: 'Get a photo',
      minRole: 'writer',
      schema: photoSchema,
      find: (id) => photos.findById(id),
      notFound: 'No photo with that id.',
    });
    createRoute(app, {
      operationId: 'createPhoto',
      summary: 'Add a photo with its alt text, caption and credit',
      minRole: 'writer',
      body: createPhotoBody.meta({ id: 'CreatePhotoRequest' }),
      schema: photoSchema,
      conflict: false,
      create: (input) => photos.create(input),
    });
    updateRoute(app, {
      operationId: 'updatePhoto',
      summary: 'Change a photo; `null` clears an optional field, `credit` is replaced whole',
      minRole: 'editor',
      body: updatePhotoBody.meta({ id: 'UpdatePhotoRequest' }),
      schema: photoSchema,
      conflict: false,
      update: (id, input) => photos.update(id, input),
    });
    deleteByIdRoute(app, {
      operationId: 'deletePhoto',
      summary: 'Delete a photo that nothing uses any more (409 while an author or article uses it)',
      minRole: 'editor',
      conflict: true,
      remove: (id) => photos.delete(id),
    });
  };
}
