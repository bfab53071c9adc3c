import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { problemResponses } from '../../errors.ts';
import { publicSecurity } from '../../plugins/openapi.ts';
import { dataEnvelope, idParams } from '../../schemas.ts';
import { sendJsonText } from '../articles/articles.public.routes.ts';
import { publicArticleSchema } from '../articles/articles.schemas.ts';
import { previewHeaders, previewQuery } from './previews.schemas.ts';
import type { PreviewsService } from './previews.service.ts';

export function previewPublicRoutes(previews: PreviewsService): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/:id',
      {
        schema: {
          operationId: 'getArticlePreview',
          summary:
            'An article of any status exactly as `GET /v1/articles/{slug}` would show it, for the holder of its preview token',
          description:
            'The token goes in `?token=` or the `Preview-Token` header. Answers carry `Cache-Control: private, no-store`, `X-Robots-Tag: noindex` and `Referrer-Policy: no-referrer`; a draft shows the current time as its `publishedAt`.',
          security: publicSecurity,
          params: idParams,
          querystring: previewQuery,
          headers: previewHeaders,
          response: {
            200: dataEnvelope(publicArticleSchema),
            ...problemResponses(400, 403, 404),
          },
        },
      },
      async (request, reply) => {
        const token = request.query.token ?? request.headers['preview-token'];
        const body = await previews.render(request.params.id, token);
        return sendJsonText(reply, body);
      },
    );
  };
}
