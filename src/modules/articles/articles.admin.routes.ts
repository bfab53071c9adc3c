import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ifMatchRequiredDetail, preconditionRequired, problemResponses } from '../../errors.ts';
import { pageOf, readPage } from '../../pagination.ts';
import { principalOf } from '../../plugins/auth.ts';
import { bearerSecurity } from '../../plugins/openapi.ts';
import { adminListEnvelope, dataEnvelope, idParams } from '../../schemas.ts';
import {
  adminArticleSchema,
  adminListQuery,
  createArticleBody,
  ifMatchHeaders,
  publishArticleBody,
  revisionParams,
  revisionSchema,
  updateArticleBody,
  type AdminArticle,
} from './articles.schemas.ts';
import type { ArticlesService, ExpectedVersion } from './articles.service.ts';
import { maxRevisionsPerArticle } from './articles.revisions.ts';

const article = dataEnvelope(adminArticleSchema);
const versioned = problemResponses(400, 401, 403, 404, 409, 412, 428);

/** RFC 9110 If-Match: strong comparison, so weak tags never match; `*` matches any version. */
export function parseIfMatch(header: string | undefined): ExpectedVersion {
  if (header === undefined || header.trim() === '') {
    throw preconditionRequired(ifMatchRequiredDetail);
  }
  if (header.trim() === '*') return 'any';
  const versions = header
    .split(',')
    .map((tag) => /^\s*(?:"(\d{1,9})"|(\d{1,9}))\s*$/.exec(tag))
    .flatMap((match) => (match === null ? [] : [Number(match[1] ?? match[2])]));
  return { versions };
}

const versionTag = (version: number): string => `"${version}"`;

/** The ETag of an editor's article is its version, so it can be sent straight back in If-Match. */
function sendArticle(reply: FastifyReply, data: AdminArticle, status = 200) {
  return reply.code(status).header('etag', versionTag(data.version)).send({ data });
}

export function articleAdminRoutes(articles: ArticlesService): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '',
      {
        config: { minRole: 'writer' },
        schema: {
          operationId: 'listArticles',
          summary: 'List articles of every status, most recently changed first',
          security: bearerSecurity,
          querystring: adminListQuery,
          response: {
            200: adminListEnvelope(adminArticleSchema),
            ...problemResponses(400, 401, 403),
          },
        },
      },
      async (request) => {
        const { status, author, tag, language, q } = request.query;
        const page = readPage('updatedAt', request.query);
        const { items, total } = await articles.list(
          { status, authorSlug: author, tagSlug: tag, language, q },
          page,
        );
        const shown = pageOf('updatedAt', page, items);
        return { data: shown.items, meta: { ...shown.meta, total } };
      },
    );

    app.get(
      '/:id',
      {
        config: { minRole: 'writer' },
        schema: {
          operationId: 'getArticle',
          summary: 'Get an article with its Markdown body; the ETag is its version',
          security: bearerSecurity,
          params: idParams,
          response: { 200: article, ...problemResponses(400, 401, 403, 404) },
        },
      },
      async (request, reply) => sendArticle(reply, await articles.get(request.params.id)),
    );

    app.post(
      '',
      {
        config: { minRole: 'writer' },
        schema: {
          operationId: 'createArticle',
          summary: 'Create an article (always a draft)',
          security: bearerSecurity,
          body: createArticleBody.meta({ id: 'CreateArticleRequest' }),
          response: { 201: article, ...problemResponses(400, 401, 403, 409, 413, 415) },
        },
      },
      async (request, reply) => {
        const created = await articles.create(request.body);
        reply.header('location', `/v1/admin/articles/${created.id}`);
        return sendArticle(reply, created, 201);
      },
    );

    app.patch(
      '/:id',
      {
        config: { minRole: 'writer' },
        schema: {
          operationId: 'updateArticle',
          summary:
            'Edit an article; needs If-Match with its current version (writers: drafts only)',
          security: bearerSecurity,
          params: idParams,
          headers: ifMatchHeaders,
          body: updateArticleBody.meta({ id: 'UpdateArticleRequest' }),
          response: { 200: article, ...versioned, ...problemResponses(413, 415) },
        },
      },
      async (request, reply) =>
        sendArticle(
          reply,
          await articles.update(
            request.params.id,
            parseIfMatch(request.headers['if-match']),
            request.body,
            principalOf(request),
          ),
        ),
    );

    app.delete(
      '/:id',
      {
        config: { minRole: 'writer' },
        schema: {
          operationId: 'deleteArticle',
          summary: 'Delete an article and its history; needs If-Match (writers: drafts only)',
          security: bearerSecurity,
          params: idParams,
          headers: ifMatchHeaders,
          response: { 204: z.null().meta({ description: 'Deleted' }), ...versioned },
        },
      },
      async (request, reply) => {
        await articles.remove(
          request.params.id,
          parseIfMatch(request.headers['if-match']),
          principalOf(request),
        );
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/:id/publish',
      {
        config: { minRole: 'editor' },
        schema: {
          operationId: 'publishArticle',
          summary: 'Publish now, backdated, or scheduled (a future publishedAt); needs If-Match',
          security: bearerSecurity,
          params: idParams,
          headers: ifMatchHeaders,
          body: publishArticleBody.meta({ id: 'PublishArticleRequest' }),
          response: { 200: article, ...versioned, ...problemResponses(415) },
        },
      },
      async (request, reply) => {
        const at = request.body?.publishedAt;
        return sendArticle(
          reply,
          await articles.publish(
            request.params.id,
            parseIfMatch(request.headers['if-match']),
            at === undefined ? undefined : new Date(at),
            principalOf(request),
          ),
        );
      },
    );

    // Workflow moves that only change status: the same request and answer.
    const transitions = [
      {
        path: '/:id/unpublish',
        operationId: 'unpublishArticle',
        summary: 'Take a published or scheduled article back to draft; needs If-Match',
        move: articles.unpublish,
      },
      {
        path: '/:id/archive',
        operationId: 'archiveArticle',
        summary: 'Archive an article (off every public route, kept for the record); needs If-Match',
        move: articles.archive,
      },
    ];
    for (const { path, operationId, summary, move } of transitions) {
      app.post(
        path,
        {
          config: { minRole: 'editor' },
          schema: {
            operationId,
            summary,
            security: bearerSecurity,
            params: idParams,
            headers: ifMatchHeaders,
            response: { 200: article, ...versioned },
          },
        },
        async (request, reply) =>
          sendArticle(
            reply,
            await move(
              request.params.id,
              parseIfMatch(request.headers['if-match']),
              principalOf(request),
            ),
          ),
      );
    }

    app.get(
      '/:id/revisions',
      {
        config: { minRole: 'writer' },
        schema: {
          operationId: 'listArticleRevisions',
          summary: 'Earlier versions of an article, newest first (the last 50 are kept)',
          security: bearerSecurity,
          params: idParams,
          response: {
            200: z.object({ data: z.array(revisionSchema).max(maxRevisionsPerArticle) }),
            ...problemResponses(400, 401, 403, 404),
          },
        },
      },
      async (request) => ({ data: await articles.revisions(request.params.id) }),
    );

    app.post(
      '/:id/revisions/:revisionId/restore',
      {
        config: { minRole: 'writer' },
        schema: {
          operationId: 'restoreArticleRevision',
          summary: 'Bring back an earlier version’s text as a new version; needs If-Match',
          security: bearerSecurity,
          params: revisionParams,
          headers: ifMatchHeaders,
          response: { 200: article, ...versioned },
        },
      },
      async (request, reply) =>
        sendArticle(
          reply,
          await articles.restore(
            request.params.id,
            request.params.revisionId,
            parseIfMatch(request.headers['if-match']),
            principalOf(request),
          ),
        ),
    );
  };
}
