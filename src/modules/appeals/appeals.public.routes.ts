import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { notFound, problemResponses } from '../../errors.ts';
import { publicSecurity } from '../../plugins/openapi.ts';
import { dataEnvelope } from '../../schemas.ts';
import type { AppealsService } from './appeals.service.ts';
import { activeAppealQuery, publicAppealSchema } from './appeals.schemas.ts';
import type { Clock } from '../shared/clock.ts';
import { keys, surrogateKey } from '../shared/content-keys.ts';

export function appealPublicRoutes(appeals: AppealsService, clock: Clock): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/active',
      {
        schema: {
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
        const { appeal, nextChangeAt } = await appeals.findActive(request.query.placement, now);
        if (appeal === undefined) throw notFound('No appeal is active for that placement.');
        reply.header('surrogate-key', surrogateKey([keys.appealList, keys.appeal(appeal.id)]));
        request.cacheExpiresAt = nextChangeAt;
        return { data: appeal };
      },
    );
  };
}
