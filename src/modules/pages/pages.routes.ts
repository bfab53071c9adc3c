import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { notFound, problemResponses } from '../../errors.ts';
import { slugPage } from '../../pagination.ts';
import { bearerSecurity, publicSecurity } from '../../plugins/openapi.ts';
import { adminListEnvelope, dataEnvelope, idParams, pageQuery, slugParams } from '../../schemas.ts';
import type { PagesRepository } from './pages.repository.ts';
import {
  adminPageSchema,
  createPageBody,
  pageVersionParams,
  publicPageSchema,
  updatePageBody,
} from './pages.schemas.ts';
import { deleteByIdRoute, getByIdRoute } from '../shared/routes.ts';
import { keys, surrogateKey } from '../shared/content-keys.ts';

const tags = ['Pages'];

export function pagePublicRoutes(pages: PagesRepository): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/:slug',
      {
        schema: {
          tags,
          operationId: 'getPublicPage',
          summary: 'A published page (privacy policy, about, …) in its current version',
          security: publicSecurity,
          params: slugParams,
          response: { 200: dataEnvelope(publicPageSchema), ...problemResponses(400, 404) },
        },
      },
      async (request, reply) => {
        const found = await pages.findPublished(request.params.slug);
        if (found === undefined) throw notFound('No published page with that slug.');
        // The key every write to the page purges.
        reply.header('surrogate-key', surrogateKey([keys.pageList, keys.page(found.id)]));
        return { data: found.page };
      },
    );

    app.get(
      '/:slug/versions/:version',
      {
        schema: {
          tags,
          operationId: 'getPublicPageVersion',
          summary:
            'The exact text of one version of a published page, e.g. the policy a subscriber agreed to',
          security: publicSecurity,
          params: pageVersionParams,
          response: { 200: dataEnvelope(publicPageSchema), ...problemResponses(400, 404) },
        },
      },
      async (request, reply) => {
        const found = await pages.findPublishedVersion(request.params.slug, request.params.version);
        if (found === undefined) throw notFound('No such version of a published page.');
        reply.header('surrogate-key', surrogateKey([keys.pageList, keys.page(found.id)]));
        return { data: found.page };
      },
    );
  };
}

export function pageAdminRoutes(
  pages: PagesRepository,
  clock: { now: () => Date },
): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '',
      {
        config: { minRole: 'writer' },
        schema: {
          tags,
          operationId: 'listPages',
          summary: 'List pages alphabetically, drafts included',
          security: bearerSecurity,
          querystring: pageQuery,
          response: { 200: adminListEnvelope(adminPageSchema), ...problemResponses(400, 401, 403) },
        },
      },
      async (request) => {
        const page = await slugPage(request.query, (bounds) => pages.list(bounds));
        return { data: page.items, meta: { ...page.meta, total: page.total } };
      },
    );

    getByIdRoute(app, {
      tags: tags,
      operationId: 'getPage',
      summary: 'Get a page with its Markdown body',
      minRole: 'writer',
      schema: adminPageSchema,
      find: (id) => pages.findById(id),
      notFound: 'No page with that id.',
    });

    app.post(
      '',
      {
        config: { minRole: 'editor' },
        schema: {
          tags,
          operationId: 'createPage',
          summary: 'Create a page (version 1)',
          security: bearerSecurity,
          body: createPageBody.meta({ id: 'CreatePageRequest' }),
          response: {
            201: dataEnvelope(adminPageSchema),
            ...problemResponses(400, 401, 403, 409, 413, 415),
          },
        },
      },
      async (request, reply) => {
        const page = await pages.create(request.body, clock.now());
        return reply
          .code(201)
          .header('location', `/v1/admin/pages/${page.id}`)
          .send({ data: page });
      },
    );

    app.patch(
      '/:id',
      {
        config: { minRole: 'editor' },
        schema: {
          tags,
          operationId: 'updatePage',
          summary:
            'Change a page; a new title or body is a new version, and old versions stay readable',
          security: bearerSecurity,
          params: idParams,
          body: updatePageBody.meta({ id: 'UpdatePageRequest' }),
          response: {
            200: dataEnvelope(adminPageSchema),
            ...problemResponses(400, 401, 403, 404, 409, 413, 415),
          },
        },
      },
      async (request) => ({
        data: await pages.update(request.params.id, request.body, clock.now()),
      }),
    );

    deleteByIdRoute(app, {
      tags: tags,
      operationId: 'deletePage',
      summary: 'Delete a page that was never published (409 otherwise: set it to draft)',
      minRole: 'editor',
      remove: (id) => pages.delete(id),
    });
  };
}
