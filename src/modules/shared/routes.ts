import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound, problemResponses } from '../../errors.ts';
import {
  type ListOrder,
  pageOf,
  type PageRequest,
  type Positioned,
  readPage,
} from '../../pagination.ts';
import type { Role } from '../../plugins/auth.ts';
import { bearerSecurity } from '../../plugins/openapi.ts';
import { adminListEnvelope, dataEnvelope, idParams, pageQuery } from '../../schemas.ts';

// The editor CRUD routes every resource has, declared once. Each call keeps its own operationId
// and summary (they are what client generators and readers of the document see); the OpenAPI tag
// comes from the module (index.ts), 429/500/503 from the error handler.

type ZodApp = Parameters<FastifyPluginAsyncZod>[0];

interface Operation {
  operationId: string;
  summary: string;
  minRole: Role;
}

// Widened on purpose: the type provider cannot resolve a reply type through a generic schema.
// Each route's handler is typed against its schema instead, and the serializer checks answers.
type Responses = Record<number, unknown>;

/** `GET ''`: one page in `order`, with the total count editors see. */
export function listRoute<O extends ListOrder, S extends z.ZodType>(
  app: ZodApp,
  options: Operation & {
    order: O;
    schema: S;
    list: (
      page: PageRequest<O>,
    ) => Promise<{ items: Array<z.input<S> & Positioned<O>>; total: number }>;
  },
): void {
  const response: Responses = {
    200: adminListEnvelope(options.schema),
    ...problemResponses(400, 401, 403),
  };
  app.get(
    '',
    {
      config: { minRole: options.minRole },
      schema: {
        operationId: options.operationId,
        summary: options.summary,
        security: bearerSecurity,
        querystring: pageQuery,
        response,
      },
    },
    async (request) => {
      const page = readPage(options.order, request.query);
      const { items, total } = await options.list(page);
      const shown = pageOf(options.order, page, items);
      return { data: shown.items, meta: { ...shown.meta, total } };
    },
  );
}

/** `GET /:id` answering `{ data }`; 404 when `find` finds none. */
export function getByIdRoute<S extends z.ZodType>(
  app: ZodApp,
  options: Operation & {
    schema: S;
    find: (id: string) => Promise<z.input<S> | undefined>;
    /** The 404's detail, e.g. "No tag with that id." */
    notFound: string;
  },
): void {
  const response: Responses = {
    200: dataEnvelope(options.schema),
    ...problemResponses(400, 401, 403, 404),
  };
  app.get(
    '/:id',
    {
      config: { minRole: options.minRole },
      schema: {
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

/** `POST ''` answering 201 with the new resource and its address in `Location`. */
export function createRoute<B extends z.ZodType, S extends z.ZodType>(
  app: ZodApp,
  options: Operation & {
    /** The request body, named `<Operation>Request` in the document. */
    body: B;
    schema: S;
    /** Whether a taken slug can refuse it (409). */
    conflict: boolean;
    create: (input: z.output<B>) => Promise<z.input<S> & { id: string }>;
  },
): void {
  const response: Responses = {
    201: dataEnvelope(options.schema),
    ...(options.conflict
      ? problemResponses(400, 401, 403, 409, 413, 415)
      : problemResponses(400, 401, 403, 413, 415)),
  };
  app.post(
    '',
    {
      config: { minRole: options.minRole },
      schema: {
        operationId: options.operationId,
        summary: options.summary,
        security: bearerSecurity,
        body: options.body,
        response,
      },
    },
    async (request, reply) => {
      // Validated against `options.body` before the handler runs.
      const created = await options.create(request.body as z.output<B>);
      return reply
        .code(201)
        .header('location', `${request.routeOptions.url ?? ''}/${created.id}`)
        .send({ data: created });
    },
  );
}

/** `PATCH /:id` answering the changed resource; the service throws 404/409. */
export function updateRoute<B extends z.ZodType, S extends z.ZodType>(
  app: ZodApp,
  options: Operation & {
    body: B;
    schema: S;
    /** Whether a taken slug can refuse it (409). */
    conflict: boolean;
    update: (id: string, input: z.output<B>) => Promise<z.input<S>>;
  },
): void {
  const response: Responses = {
    200: dataEnvelope(options.schema),
    ...(options.conflict
      ? problemResponses(400, 401, 403, 404, 409, 413, 415)
      : problemResponses(400, 401, 403, 404, 413, 415)),
  };
  app.patch(
    '/:id',
    {
      config: { minRole: options.minRole },
      schema: {
        operationId: options.operationId,
        summary: options.summary,
        security: bearerSecurity,
        params: idParams,
        body: options.body,
        response,
      },
    },
    async (request) => ({
      // Validated against `options.body` before the handler runs.
      data: await options.update(request.params.id, request.body as z.output<B>),
    }),
  );
}

/** `DELETE /:id` answering 204; `remove` throws 404 (and 409 where the resource can be in use). */
export function deleteByIdRoute(
  app: ZodApp,
  options: Operation & {
    remove: (id: string) => Promise<void>;
    /** Whether the resource can be refused as still in use. */
    conflict: boolean;
  },
): void {
  app.delete(
    '/:id',
    {
      config: { minRole: options.minRole },
      schema: {
        operationId: options.operationId,
        summary: options.summary,
        security: bearerSecurity,
        params: idParams,
        response: {
          204: z.null().meta({ description: 'Deleted' }),
          ...(options.conflict
            ? problemResponses(400, 401, 403, 404, 409)
            : problemResponses(400, 401, 403, 404)),
        },
      },
    },
    async (request, reply) => {
      await options.remove(request.params.id);
      return reply.code(204).send(null);
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
