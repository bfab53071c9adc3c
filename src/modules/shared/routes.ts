import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound, problemResponses } from '../../errors.ts';
import type { Role } from '../../plugins/auth.ts';
import { bearerSecurity } from '../../plugins/openapi.ts';
import { dataEnvelope, idParams } from '../../schemas.ts';

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

/** `GET /:id` answering `{ data }`, as every editor resource has it; 404 when `find` finds none. */
export function getByIdRoute<S extends z.ZodType>(
  app: ZodApp,
  options: {
    tags: string[];
    operationId: string;
    summary: string;
    minRole: Role;
    schema: S;
    find: (id: string) => Promise<z.input<S> | undefined>;
    /** The 404's detail, e.g. "No tag with that id." */
    notFound: string;
  },
): void {
  // Widened on purpose: the provider cannot resolve a reply type through a generic schema. The
  // caller's `find` is typed against `schema` instead, and the serializer still checks the answer.
  const response: Record<number, unknown> = {
    200: dataEnvelope(options.schema),
    ...problemResponses(400, 401, 403, 404),
  };
  app.get(
    '/:id',
    {
      config: { minRole: options.minRole },
      schema: {
        tags: options.tags,
        operationId: options.operationId,
        summary: options.summary,
        security: bearerSecurity,
        params: idParams,
        response,
      },
    },
    async (request) => {
      const found = await options.find(request.params.id);
      if (found === undefined) throw notFound(options.notFound);
      return { data: found };
    },
  );
}

/**
 * What public routes need to decide visibility: the clock, and when the next scheduled article
 * falls due (a cached answer may change then without any write).
 */
export interface PublicVisibility {
  now: () => Date;
  nextChangeAt: (now: Date) => Promise<number | null>;
}
