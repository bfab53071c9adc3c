import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problemResponses } from '../../errors.ts';
import type { Role } from '../../plugins/auth.ts';
import { bearerSecurity } from '../../plugins/openapi.ts';
import { idParams } from '../../schemas.ts';

type ZodApp = Parameters<FastifyPluginAsyncZod>[0];

/** `DELETE /:id` answering 204, as every editor resource has it; `remove` throws 404/409. */
export function deleteByIdRoute(
  app: ZodApp,
  options: {
    tags: string[];
    operationId: string;
    summary: string;
    minRole: Role;
    remove: (id: string) => Promise<void>;
    /** Whether the resource can be refused as still in use. */
    conflict?: boolean;
  },
): void {
  app.delete(
    '/:id',
    {
      config: { minRole: options.minRole },
      schema: {
        tags: options.tags,
        operationId: options.operationId,
        summary: options.summary,
        security: bearerSecurity,
        params: idParams,
        response: {
          204: z.null().meta({ description: 'Deleted' }),
          ...(options.conflict === false
            ? problemResponses(400, 401, 403, 404)
            : problemResponses(400, 401, 403, 404, 409)),
        },
      },
    },
    async (request, reply) => {
      await options.remove(request.params.id);
      return reply.code(204).send(null);
    },
  );
}
