import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { problemResponses } from '../../errors.ts';
import { bearerSecurity } from '../../plugins/openapi.ts';
import { dataEnvelope, idParams } from '../../schemas.ts';
import {
  createPreviewBody,
  previewKeyRotatedSchema,
  previewLinkHours,
  previewLinkSchema,
} from './previews.schemas.ts';
import type { PreviewsService } from './previews.service.ts';

/** `POST /v1/admin/articles/{id}/preview`: anyone who may open the article may share a preview. */
export function previewLinkRoutes(previews: PreviewsService): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/:id/preview',
      {
        config: { minRole: 'writer' },
        schema: {
          operationId: 'createArticlePreview',
          summary:
            'A signed, expiring link that shows this article (draft, scheduled or any other) as readers would see it',
          security: bearerSecurity,
          params: idParams,
          body: createPreviewBody,
          response: {
            201: dataEnvelope(previewLinkSchema),
            ...problemResponses(400, 401, 403, 404, 415),
          },
        },
      },
      async (request, reply) => {
        const hours = request.body?.expiresInHours ?? previewLinkHours.default;
        const link = await previews.createLink(request.params.id, hours);
        return reply.code(201).send({ data: link });
      },
    );
  };
}

/** `POST /v1/admin/previews/rotate-key`: editors close every preview link at once. */
export function previewKeyRoutes(previews: PreviewsService): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/rotate-key',
      {
        config: { minRole: 'editor' },
        schema: {
          operationId: 'rotatePreviewKey',
          summary:
            'Replace the key preview links are signed with: every link issued so far stops working',
          security: bearerSecurity,
          response: {
            200: dataEnvelope(previewKeyRotatedSchema),
            ...problemResponses(401, 403),
          },
        },
      },
      async () => ({ data: await previews.rotateKey() }),
    );
  };
}
