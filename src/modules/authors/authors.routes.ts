import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { notFound, problemResponses } from '../../errors.ts';
import { slugPage } from '../../pagination.ts';
import { bearerSecurity, publicSecurity } from '../../plugins/openapi.ts';
import {
  adminListEnvelope,
  dataEnvelope,
  idParams,
  pageQuery,
  publicListEnvelope,
  slugParams,
} from '../../schemas.ts';
import { type AuthorsRepository, toPublicAuthor } from './authors.repository.ts';
import {
  adminAuthorSchema,
  createAuthorBody,
  publicAuthorSchema,
  updateAuthorBody,
} from './authors.schemas.ts';
import { deleteByIdRoute, getByIdRoute, type PublicVisibility } from '../shared/routes.ts';
import { type ContentKey, keys, surrogateKey } from '../shared/content-keys.ts';

const tags = ['Authors'];

/** Cache and CDN keys: the authors shown and their portraits. */
/** Author responses depend on the authors shown and on their photos. */
function authorKeys(base: ContentKey[], shown: Array<{ photo: { id: string } | null }>): string {
  return surrogateKey([
    ...base,
    ...shown.flatMap((author) => (author.photo === null ? [] : [keys.photo(author.photo.id)])),
  ]);
}

export function authorPublicRoutes(
  authors: AuthorsRepository,
  visibility: PublicVisibility,
): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '',
      {
        schema: {
          tags,
          operationId: 'listPublicAuthors',
          summary:
            'Authors with a byline on at least one published article, alphabetically by slug',
          security: publicSecurity,
          querystring: pageQuery,
          response: { 200: publicListEnvelope(publicAuthorSchema), ...problemResponses(400) },
        },
      },
      async (request, reply) => {
        const now = visibility.now();
        const page = await slugPage(request.query, (bounds) =>
          authors.list({ ...bounds, withTotal: false, visibleAt: now }),
        );
        reply.header('surrogate-key', authorKeys([keys.authorList], page.items));
        request.cacheExpiresAt = await visibility.nextChangeAt(now);
        return {
          data: page.items.map(toPublicAuthor),
          meta: page.meta,
        };
      },
    );

    app.get(
      '/:slug',
      {
        schema: {
          tags,
          operationId: 'getPublicAuthor',
          summary: 'Get an author (byline) by slug (404 until a published article carries it)',
          security: publicSecurity,
          params: slugParams,
          response: { 200: dataEnvelope(publicAuthorSchema), ...problemResponses(400, 404) },
        },
      },
      async (request, reply) => {
        const now = visibility.now();
        const author = await authors.findVisibleBySlug(request.params.slug, now);
        if (author === undefined) throw notFound('No author with that slug.');
        reply.header(
          'surrogate-key',
          authorKeys([keys.authorList, keys.author(author.id)], [author]),
        );
        request.cacheExpiresAt = await visibility.nextChangeAt(now);
        return { data: toPublicAuthor(author) };
      },
    );
  };
}

export function authorAdminRoutes(
  authors: AuthorsRepository,
  clock: { now: () => Date },
): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '',
      {
        config: { minRole: 'writer' },
        schema: {
          tags,
          operationId: 'listAuthors',
          summary: 'List authors with their private fields and the total count',
          security: bearerSecurity,
          querystring: pageQuery,
          response: {
            200: adminListEnvelope(adminAuthorSchema),
            ...problemResponses(400, 401, 403),
          },
        },
      },
      async (request) => {
        const page = await slugPage(request.query, (bounds) =>
          authors.list({ ...bounds, withTotal: true }),
        );
        return {
          data: page.items,
          meta: { ...page.meta, total: page.total },
        };
      },
    );

    getByIdRoute(app, {
      tags: tags,
      operationId: 'getAuthor',
      summary: 'Get an author by id, with private fields',
      minRole: 'writer',
      schema: adminAuthorSchema,
      find: (id) => authors.findById(id),
      notFound: 'No author with that id.',
    });

    app.post(
      '',
      {
        config: { minRole: 'writer' },
        schema: {
          tags,
          operationId: 'createAuthor',
          summary:
            'Create an author (slug generated from the name when absent; a taken slug is 409)',
          security: bearerSecurity,
          body: createAuthorBody.meta({ id: 'CreateAuthorRequest' }),
          response: {
            201: dataEnvelope(adminAuthorSchema),
            ...problemResponses(400, 401, 403, 409, 413, 415),
          },
        },
      },
      async (request, reply) => {
        const author = await authors.create(request.body, clock.now());
        return reply
          .code(201)
          .header('location', `/v1/admin/authors/${author.id}`)
          .send({ data: author });
      },
    );

    app.patch(
      '/:id',
      {
        config: { minRole: 'editor' },
        schema: {
          tags,
          operationId: 'updateAuthor',
          summary: 'Change an author; `null` clears an optional field',
          security: bearerSecurity,
          params: idParams,
          body: updateAuthorBody.meta({ id: 'UpdateAuthorRequest' }),
          response: {
            200: dataEnvelope(adminAuthorSchema),
            ...problemResponses(400, 401, 403, 404, 409, 413, 415),
          },
        },
      },
      async (request) => ({
        data: await authors.update(request.params.id, request.body, clock.now()),
      }),
    );

    deleteByIdRoute(app, {
      tags: tags,
      operationId: 'deleteAuthor',
      summary: 'Delete an author without bylines (409 while articles credit them)',
      minRole: 'editor',
      remove: (id) => authors.delete(id),
    });
  };
}
