import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { notFound, problemResponses } from '../../errors.ts';
import { publicSecurity } from '../../plugins/openapi.ts';
import { dataEnvelope } from '../../schemas.ts';
import type { AppealsRepository } from './appeals.repository.ts';
import { activeAppealQuery, publicAppealSchema } from './appeals.schemas.ts';
import { keys, surrogateKey } from '../shared/content-keys.ts';

const tags = ['Appeals'];

export function appealPublicRoutes(
  appeals: AppealsRepository,
  clock: { now: () => Date },
): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/active',
      {
        schema: {
          tags,
          operationId: 'getActiveAppeal',
          summary:
            'The reader-support appeal to show now at a placement (highest priority), or 404',
          security: publicSecurity,
          querystring: activeAppealQuery,
          response: { 200: dataEnvelope(publicAppealSchema), ...problemResponses(400, 404) },
        },
      },
      async (request, reply) => {
        const now = clock.now();
        const appeal = await appeals.findActive(request.query.placement, now);
        if (appeal === undefined) throw notFound('No appeal is active for that placement.');
        reply.header('surrogate-key', surrogateKey([keys.appealList, keys.appeal(appeal.id)]));
        request.cacheExpiresAt = await appeals.nextChangeAt(request.query.placement, now);
        return { data: appeal };
      },
    );
  };
}
