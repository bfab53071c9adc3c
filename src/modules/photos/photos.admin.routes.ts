import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { crudRoutes } from '../shared/routes.ts';
import type { PhotosService } from './photos.service.ts';
import { adminPhotoSchema, createPhotoBody, updatePhotoBody } from './photos.schemas.ts';

export function photoAdminRoutes(photos: PhotosService): FastifyPluginAsyncZod {
  return async (app) =>
    crudRoutes(app, photos, {
      schema: adminPhotoSchema,
      order: 'createdAt',
      bodies: {
        create: createPhotoBody.meta({ id: 'CreatePhotoRequest' }),
        update: updatePhotoBody.meta({ id: 'UpdatePhotoRequest' }),
      },
      notFound: 'No photo with that id.',
      conflicts: { slug: false, inUse: true },
      list: ['listPhotos', 'writer', 'List photos, newest first'],
      get: ['getPhoto', 'writer', 'Get a photo'],
      create: ['createPhoto', 'writer', 'Add a photo with its alt text, caption and credit'],
      update: [
        'updatePhoto',
        'editor',
        'Change a photo; `null` clears an optional field, `credit` is replaced whole, `embargoUntil` holds it off public surfaces',
      ],
      delete: [
        'deletePhoto',
        'editor',
        'Delete a photo that nothing uses any more (409 while an author or article uses it)',
      ],
    });
}
