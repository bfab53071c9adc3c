import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problemResponses, serviceUnavailable } from '../../errors.ts';
import { publicSecurity } from '../../plugins/openapi.ts';

const statusSchema = z.object({ status: z.literal('ok') });

export function healthRoutes(isReady: () => Promise<boolean>): FastifyPluginAsyncZod {
  return async (app) => {
    app.addHook('onRequest', async (_request, reply) => {
      reply.header('cache-control', 'no-store');
    });

    app.get(
      '/live',
      {
        schema: {
          tags: ['Health'],
          operationId: 'getLiveness',
          summary: 'The process is up and serving HTTP',
          security: publicSecurity,
          response: { 200: statusSchema },
        },
      },
      async () => ({ status: 'ok' as const }),
    );

    app.get(
      '/ready',
      {
        schema: {
          tags: ['Health'],
          operationId: 'getReadiness',
          summary: 'The database answers and every migration is applied',
          security: publicSecurity,
          response: { 200: statusSchema, ...problemResponses(503) },
        },
      },
      async () => {
        if (!(await isReady())) throw serviceUnavailable('The database is not ready.');
        return { status: 'ok' as const };
      },
    );
  };
}
