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

/** What the document says of an editor operation: its id, summary, and the bearer scheme. */
const documented = ({ operationId, summary }: Operation) => ({
  operationId,
  summary,
  security: bearerSecurity,
});

// Widened on purpose: the type provider cannot resolve a reply type through a generic schema.
// Each route's handler is typed against its schema instead; the tests check every answer against
// the document.
type Responses = Record<number, unknown>;

/**
 * `GET ''` (or `path`): one page in `order`, with the total count editors see. A list with
 * filters declares its own query (it must include `limit` and `cursor`) and path parameters;
 * `list` gets them parsed.
 */
export function listRoute<
  O extends ListOrder,
  S extends z.ZodType,
  Q extends z.ZodType = typeof pageQuery,
  P extends z.ZodType = z.ZodUndefined,
>(
  app: ZodApp,
  options: Operation & {
    order: O;
    schema: S;
    path?: string;
    query?: Q;
    params?: P;
    /** Extra refusals beside 400/401/403, e.g. 404 for an unknown parent. */
    notFound?: boolean;
    list: (
      page: PageRequest<O>,
      request: { query: z.output<Q>; params: z.output<P> },
    ) => Promise<{ items: Array<z.input<S> & Positioned<O>>; total: number }>;
  },
): void {
  const response: Responses = {
    200: adminListEnvelope(options.schema),
    ...(options.notFound === true
      ? problemResponses(400, 401, 403, 404)
      : problemResponses(400, 401, 403)),
  };
  app.get(
    options.path ?? '',
    {
      config: { minRole: options.minRole },
      schema: {
        ...documented(options),
        ...(options.params === undefined ? {} : { params: options.params }),
        querystring: options.query ?? pageQuery,
        response,
      },
    },
    async (request) => {
      // Both were validated against the route's schemas before the handler runs; every list
      // query has `limit` and `cursor`.
      const parsed = {
        query: request.query as z.output<Q>,
        params: request.params as z.output<P>,
      };
      const page = readPage(options.order, request.query as z.output<typeof pageQuery>);
      const { items, total } = await options.list(page, parsed);
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
        ...documented(options),
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
 * `POST ''` answering 201 with the new resource and its address in `Location`, or `PATCH /:id`
 * answering the changed one; the service throws 404/409.
 */
function writeRoute<B extends z.ZodType, S extends z.ZodType>(
  app: ZodApp,
  options: Operation & {
    /** The request body, named `<Operation>Request` in the document. */
    body: B;
    schema: S;
    /** Whether a taken slug can refuse it (409). */
    conflict: boolean;
  } & (
      | { kind: 'create'; write: (input: z.output<B>) => Promise<z.input<S> & { id: string }> }
      | { kind: 'update'; write: (id: string, input: z.output<B>) => Promise<z.input<S>> }
    ),
): void {
  const creates = options.kind === 'create';
  const refusals = [400, 401, 403, ...(creates ? [] : [404]), ...(options.conflict ? [409] : [])];
  const response: Responses = {
    [creates ? 201 : 200]: dataEnvelope(options.schema),
    ...problemResponses(...refusals, 413, 415),
  };
  app.route({
    method: creates ? 'POST' : 'PATCH',
    url: creates ? '' : '/:id',
    config: { minRole: options.minRole },
    schema: {
      ...documented(options),
      ...(creates ? {} : { params: idParams }),
      body: options.body,
      response,
    },
    handler: async (request, reply) => {
      // Both were validated against the route's schemas before the handler runs.
      const input = request.body as z.output<B>;
      if (options.kind === 'update') {
        const { id } = request.params as z.output<typeof idParams>;
        return { data: await options.write(id, input) };
      }
      const created = await options.write(input);
      return reply
        .code(201)
        .header('location', `${request.routeOptions.url ?? ''}/${created.id}`)
        .send({ data: created });
    },
  });
}

/**
 * `DELETE /:id` answering 204; `remove` throws 404 (and 409 where the resource can be in use).
 * Revoking a token and erasing a signup answer the same way, under their own path and word.
 */
export function deleteByIdRoute(
  app: ZodApp,
  options: Operation & {
    remove: (id: string) => Promise<void>;
    /** Whether the resource can be refused as still in use. */
    conflict: boolean;
    /** Default `/:id`. */
    path?: string;
    /** What the 204 says was done; default "Deleted". */
    done?: string;
  },
): void {
  app.delete(
    options.path ?? '/:id',
    {
      config: { minRole: options.minRole },
      schema: {
        ...documented(options),
        params: idParams,
        response: {
          204: z.null().meta({ description: options.done ?? 'Deleted' }),
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

/** One operation in the document: its operationId, the lowest role allowed, its summary. */
export type OperationDoc = readonly [operationId: string, minRole: Role, summary: string];

const operation = ([operationId, minRole, summary]: OperationDoc): Operation => ({
  operationId,
  minRole,
  summary,
});

/** What an editor resource's service offers for its five CRUD operations. */
export interface CrudService<O extends ListOrder, Item, Create, Update> {
  list(page: PageRequest<O>): Promise<{ items: Item[]; total: number }>;
  findById(id: string): Promise<Item | undefined>;
  create(input: Create): Promise<Item>;
  update(id: string, input: Update): Promise<Item>;
  delete(id: string): Promise<void>;
}

/**
 * The list, get, create, update and delete routes of an editor resource, from its service and
 * what the document says of each operation. Special operations stay hand-written beside it.
 */
export function crudRoutes<
  O extends ListOrder,
  S extends z.ZodType,
  C extends z.ZodType,
  U extends z.ZodType,
>(
  app: ZodApp,
  service: CrudService<O, z.input<S> & Positioned<O> & { id: string }, z.output<C>, z.output<U>>,
  spec: {
    schema: S;
    order: O;
    bodies: { create: C; update: U };
    /** The 404's detail, e.g. "No tag with that id." */
    notFound: string;
    /** Which writes can be refused with 409: a taken slug (create, update), a reference (delete). */
    conflicts: { slug: boolean; inUse: boolean };
    list: OperationDoc;
    get: OperationDoc;
    create: OperationDoc;
    update: OperationDoc;
    delete: OperationDoc;
  },
): void {
  const { schema, conflicts } = spec;
  listRoute(app, {
    ...operation(spec.list),
    order: spec.order,
    schema,
    list: (page) => service.list(page),
  });
  getByIdRoute(app, {
    ...operation(spec.get),
    schema,
    find: (id) => service.findById(id),
    notFound: spec.notFound,
  });
  writeRoute(app, {
    ...operation(spec.create),
    kind: 'create',
    body: spec.bodies.create,
    schema,
    conflict: conflicts.slug,
    write: (input) => service.create(input),
  });
  writeRoute(app, {
    ...operation(spec.update),
    kind: 'update',
    body: spec.bodies.update,
    schema,
    conflict: conflicts.slug,
    write: (id, input) => service.update(id, input),
  });
  deleteByIdRoute(app, {
    ...operation(spec.delete),
    conflict: conflicts.inUse,
    remove: (id) => service.delete(id),
  });
}

/**
 * What public routes need to decide visibility: the clock, and when the next scheduled article
 * falls due (a cached answer may change then without any write).
 */
export interface PublicVisibility {
  now: () => Date;
  nextChangeAt: (now: Date) => Promise<number | null>;
}
