import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { problemResponses } from '../../errors.ts';
import { publicSecurity } from '../../plugins/openapi.ts';
import { publicListEnvelope } from '../../schemas.ts';
import { sendPublicAnswer } from '../shared/public-routes.ts';
import { correctionsQuery, listedCorrectionSchema } from './corrections.schemas.ts';
import type { PublicCorrectionsService } from './corrections.service.ts';

// The standards page: every correction on a visible article, newest first.

export function correctionPublicRoutes(
  corrections: PublicCorrectionsService,
): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '',
      {
        schema: {
          operationId: 'listCorrections',
          summary: 'Corrections, clarifications, updates and retractions site-wide, newest first',
          security: publicSecurity,
          querystring: correctionsQuery,
          response: {
            200: publicListEnvelope(listedCorrectionSchema),
            ...problemResponses(400),
          },
        },
      },
      async (request, reply) =>
        sendPublicAnswer(
          request,
          reply,
          await corrections.list(request.query),
          'application/json; charset=utf-8',
        ),
    );
  };
}
