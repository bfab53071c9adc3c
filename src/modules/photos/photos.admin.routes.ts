import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problemResponses } from '../../errors.ts';
import { pageLimit, readCursor, toPage } from '../../pagination.ts';
import { bearerSecurity } from '../../plugins/openapi.ts';
import { adminListEnvelope, dataEnvelope, idParams, pageQuery } from '../../schemas.ts';
import type { PhotosRepository } from './photos.repository.ts';
import { createPhotoBody, photoSchema, updatePhotoBody } from './photos.schemas.ts';
import { deleteByIdRoute, getByIdRoute } from '../shared/routes.ts';

const tags = ['Photos'];
const cursorShape = z.tuple([z.number().int(), z.string()]);

export function photoAdminRoutes(
  photos: PhotosRepository,
  clock: { now: () => Date },
): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '',
      {
        config: { minRole: 'writer' },
        schema: {
          tags,
          operationId: 'listPhotos',
          summary: 'List photos, newest first',
          security: bearerSecurity,
          querystring: pageQuery,
          response: { 200: adminListEnvelope(photoSchema), ...problemResponses(400, 401, 403) },
        },
      },
      async (request) => {
        const limit = pageLimit(request.query.limit);
        const after = readCursor(request.query.cursor, cursorShape);
        const { items, total } = await photos.list({ limit, after });
        const page = toPage(items, limit, (photo) => [Date.parse(photo.createdAt), photo.id]);
        return { data: page.items, meta: { limit, nextCursor: page.nextCursor, total } };
      },
    );

    getByIdRoute(app, {
      tags: tags,
      operationId: 'getPhoto',
      summary: 'Get a photo',
      minRole: 'writer',
      schema: photoSchema,
      find: (id) => photos.findById(id),
      notFound: 'No photo with that id.',
    });

    app.post(
      '',
      {
        config: { minRole: 'writer' },
        schema: {
          tags,
          operationId: 'createPhoto',
          summary: 'Add a photo with its alt text, caption and credit',
          security: bearerSecurity,
          body: createPhotoBody.meta({ id: 'CreatePhotoRequest' }),
          response: {
            201: dataEnvelope(photoSchema),
            ...problemResponses(400, 401, 403, 413, 415),
          },
        },
      },
      async (request, reply) => {
        const photo = await photos.create(request.body, clock.now());
        return reply
          .code(201)
          .header('location', `/v1/admin/photos/${photo.id}`)
          .send({ data: photo });
      },
    );

    app.patch(
      '/:id',
      {
        config: { minRole: 'editor' },
        schema: {
          tags,
          operationId: 'updatePhoto',
          summary: 'Change a photo; `null` clears an optional field, `credit` is replaced whole',
          security: bearerSecurity,
          params: idParams,
          body: updatePhotoBody.meta({ id: 'UpdatePhotoRequest' }),
          response: {
            200: dataEnvelope(photoSchema),
            ...problemResponses(400, 401, 403, 404, 413, 415),
          },
        },
      },
      async (request) => ({
        data: await photos.update(request.params.id, request.body, clock.now()),
      }),
    );

    deleteByIdRoute(app, {
      tags: tags,
      operationId: 'deletePhoto',
      summary: 'Delete a photo that nothing uses any more (409 while an author or article uses it)',
      minRole: 'editor',
      remove: (id) => photos.delete(id),
    });
  };
}
