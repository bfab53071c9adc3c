import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { invalidFields, notFound, problemResponses } from '../../errors.ts';
import { bearerSecurity } from '../../plugins/openapi.ts';
import { dataEnvelope, idParams } from '../../schemas.ts';
import { adminPhotoSchema, replaceFileFields, uploadFields } from './photos.schemas.ts';
import type { PhotoUploads } from './photos.uploads.ts';

// Uploads are multipart/form-data: one `file` part and a few small text parts. The token is
// checked before the body is read (the scope's onRequest hook), and the file is read into
// memory only up to the limit: one byte more is a 413.

const imageBytes = (file: unknown): Buffer => {
  if (!Buffer.isBuffer(file) || file.length === 0)
    throw invalidFields([{ path: 'body.file', message: 'Send the image as the file part.' }]);
  return file;
};

export function photoUploadRoutes(
  uploads: PhotoUploads,
  options: { maxBytes: number; uploaded: () => void },
): FastifyPluginAsyncZod {
  return async (app) => {
    await app.register(multipart, {
      attachFieldsToBody: 'keyValues',
      limits: {
        fileSize: options.maxBytes,
        files: 1,
        fields: 4,
        fieldNameSize: 100,
        fieldSize: 2000,
        parts: 5,
        headerPairs: 50,
      },
    });

    app.post(
      '/uploads',
      {
        config: { minRole: 'writer' },
        schema: {
          operationId: 'uploadPhoto',
          summary: 'Upload a photo file: credit, caption and licence are read from its IPTC/XMP',
          description: `One JPEG, PNG, WebP, AVIF or TIFF of up to ${Math.round(options.maxBytes / 1_048_576)} MB as the \`file\` part; the type is read from the bytes (SVG, GIF, HEIC and anything else: 415). What the optional parts leave out is filled from the file's own metadata (By-line and Credit make the credit, Caption-Abstract the caption, Copyright Notice the licence) and can be changed later with \`PATCH /v1/admin/photos/{id}\`. The same bytes uploaded again answer 200 with the photo already made from them. The answer carries the largest rendition as \`url\`; the others follow within seconds (\`file.variants\`).`,
          security: bearerSecurity,
          consumes: ['multipart/form-data'],
          body: uploadFields.meta({ id: 'PhotoUploadRequest' }),
          response: {
            200: dataEnvelope(adminPhotoSchema),
            201: dataEnvelope(adminPhotoSchema),
            ...problemResponses(400, 401, 403, 413, 415, 503),
          },
        },
      },
      async (request, reply) => {
        const { file, ...fields } = request.body;
        const { photo, created } = await uploads.upload(imageBytes(file), fields);
        if (created) options.uploaded();
        return reply
          .code(created ? 201 : 200)
          .header('location', `/v1/admin/photos/${photo.id}`)
          .send({ data: photo });
      },
    );

    app.put(
      '/:id/file',
      {
        config: { minRole: 'editor' },
        schema: {
          operationId: 'replacePhotoFile',
          summary: 'Give a photo a new file: its renditions are made again from it',
          description: `One JPEG, PNG, WebP or the like of up to ${Math.round(options.maxBytes / 1_048_576)} MB as the \`file\` part, for a photo uploaded before or one that had only a URL. Everything showing the photo is rendered again with the new file's largest rendition as \`url\`; the other renditions follow within seconds, and the old file's are removed an hour later. Alt text, caption, licence and a credit an editor typed stay; a credit read from the old file (or none) is read from the new one's IPTC when it has one, and empty fields are filled from it. The photo's own bytes again change nothing (200); another photo's bytes are a 409 naming it.`,
          security: bearerSecurity,
          consumes: ['multipart/form-data'],
          params: idParams,
          body: replaceFileFields.meta({ id: 'PhotoFileRequest' }),
          response: {
            200: dataEnvelope(adminPhotoSchema),
            ...problemResponses(400, 401, 403, 404, 409, 413, 415, 503),
          },
        },
      },
      async (request, reply) => {
        const photo = await uploads.replace(request.params.id, imageBytes(request.body.file));
        if (photo === undefined) throw notFound('No photo with that id.');
        options.uploaded();
        return reply.send({ data: photo });
      },
    );
  };
}
