import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problemResponses } from '../../errors.ts';
import { principalOf } from '../../plugins/auth.ts';
import { bearerSecurity } from '../../plugins/openapi.ts';
import { dataEnvelope, id, idParams } from '../../schemas.ts';
import {
  adminArticleSchema,
  adminListQuery,
  createArticleBody,
  createTranslationBody,
  embargoBody,
  publishArticleBody,
  revisionParams,
  revisionSchema,
  updateArticleBody,
} from './articles.schemas.ts';
import type { ArticlesService, VersionedWrite } from './articles.service.ts';
import { ifMatchHeaders, parseIfMatch, sendVersioned, versionTag } from '../shared/versions.ts';
import { maxRevisionsPerArticle } from './articles.revisions.ts';
import { listRoute } from '../shared/routes.ts';
import {
  adminCorrectionSchema,
  correctionParams,
  createCorrectionBody,
  maxCorrectionsPerArticle,
  updateCorrectionBody,
} from '../corrections/corrections.schemas.ts';

const article = dataEnvelope(adminArticleSchema);
const versioned = problemResponses(400, 401, 403, 404, 409, 412, 428);

/** What a versioned route reads from its request: the article, If-Match, and the caller. */
function versionedWrite(
  request: FastifyRequest & { params: { id: string }; headers: { 'if-match'?: string } },
): VersionedWrite {
  return {
    id: request.params.id,
    expected: parseIfMatch(request.headers['if-match']),
    principal: principalOf(request),
  };
}

/** The document's part of every route that changes an article under If-Match. */
const versionedRoute = (minRole: 'writer' | 'editor', operationId: string, summary: string) => ({
  config: { minRole },
  schema: { operationId, summary, security: bearerSecurity, headers: ifMatchHeaders },
});

export function articleAdminRoutes(articles: ArticlesService): FastifyPluginAsyncZod {
  return async (app) => {
    listRoute(app, {
      operationId: 'listArticles',
      summary: 'List articles of every status, most recently changed first',
      minRole: 'writer',
      order: 'updatedAt',
      schema: adminArticleSchema,
      query: adminListQuery,
      list: (page, { query }) => {
        const { status, author, tag, language, q } = query;
        return articles.list({ status, authorSlug: author, tagSlug: tag, language, q }, page);
      },
    });

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
      async (request, reply) => sendVersioned(reply, await articles.get(request.params.id)),
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
        return sendVersioned(reply, created, 201);
      },
    );

    const edit = versionedRoute(
      'writer',
      'updateArticle',
      'Edit an article; needs If-Match with its current version (writers: drafts only)',
    );
    app.patch(
      '/:id',
      {
        ...edit,
        schema: {
          ...edit.schema,
          params: idParams,
          body: updateArticleBody.meta({ id: 'UpdateArticleRequest' }),
          response: { 200: article, ...versioned, ...problemResponses(413, 415) },
        },
      },
      async (request, reply) =>
        sendVersioned(reply, await articles.update(versionedWrite(request), request.body)),
    );

    const remove = versionedRoute(
      'writer',
      'deleteArticle',
      'Delete an article and its history; needs If-Match (writers: drafts only)',
    );
    app.delete(
      '/:id',
      {
        ...remove,
        schema: {
          ...remove.schema,
          params: idParams,
          response: { 204: z.null().meta({ description: 'Deleted' }), ...versioned },
        },
      },
      async (request, reply) => {
        await articles.remove(versionedWrite(request));
        return reply.code(204).send(null);
      },
    );

    const publish = versionedRoute(
      'editor',
      'publishArticle',
      'Publish now, backdated, or scheduled (a future publishedAt); needs If-Match',
    );
    app.post(
      '/:id/publish',
      {
        ...publish,
        schema: {
          ...publish.schema,
          params: idParams,
          body: publishArticleBody.meta({ id: 'PublishArticleRequest' }),
          response: { 200: article, ...versioned, ...problemResponses(415) },
        },
      },
      async (request, reply) => {
        const at = request.body?.publishedAt;
        const publishedAt = at === undefined ? undefined : new Date(at);
        return sendVersioned(reply, await articles.publish(versionedWrite(request), publishedAt));
      },
    );

    app.post(
      '/:id/translations',
      {
        config: { minRole: 'writer' },
        schema: {
          operationId: 'createArticleTranslation',
          summary:
            'Start an edition in another language: a draft copy in the same translation group',
          security: bearerSecurity,
          params: idParams,
          body: createTranslationBody.meta({ id: 'CreateTranslationRequest' }),
          response: { 201: article, ...problemResponses(400, 401, 403, 404, 409, 415) },
        },
      },
      async (request, reply) => {
        const created = await articles.editions.create(request.params.id, request.body.language);
        reply.header('location', `/v1/admin/articles/${created.id}`);
        return sendVersioned(reply, created, 201);
      },
    );
    app.put(
      '/:id/translations/:otherId',
      {
        config: { minRole: 'editor' },
        schema: {
          operationId: 'linkArticleTranslation',
          summary: 'Link an existing article as an edition of this story (one per language)',
          security: bearerSecurity,
          params: z.strictObject({ id, otherId: id }),
          response: { 200: article, ...problemResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) =>
        sendVersioned(
          reply,
          await articles.editions.link(request.params.id, request.params.otherId),
        ),
    );
    app.delete(
      '/:id/translation-group',
      {
        config: { minRole: 'editor' },
        schema: {
          operationId: 'unlinkArticleTranslation',
          summary: 'Take the article out of its translation group',
          security: bearerSecurity,
          params: idParams,
          response: { 200: article, ...problemResponses(400, 401, 403, 404) },
        },
      },
      async (request, reply) =>
        sendVersioned(reply, await articles.editions.unlink(request.params.id)),
    );

    const embargo = versionedRoute(
      'editor',
      'setArticleEmbargo',
      'Hold the article off every public surface until a time (wire copy under embargo); needs If-Match',
    );
    app.put(
      '/:id/embargo',
      {
        ...embargo,
        schema: {
          ...embargo.schema,
          params: idParams,
          body: embargoBody.meta({ id: 'SetEmbargoRequest' }),
          response: { 200: article, ...versioned, ...problemResponses(415) },
        },
      },
      async (request, reply) =>
        sendVersioned(reply, await articles.embargo(versionedWrite(request), request.body)),
    );
    const lift = versionedRoute(
      'editor',
      'liftArticleEmbargo',
      'Remove the embargo: an article it was holding is public now; needs If-Match',
    );
    app.delete(
      '/:id/embargo',
      {
        ...lift,
        schema: { ...lift.schema, params: idParams, response: { 200: article, ...versioned } },
      },
      async (request, reply) =>
        sendVersioned(reply, await articles.liftEmbargo(versionedWrite(request))),
    );

    // Workflow moves that only change status: the same request and answer.
    const transitions = [
      {
        path: '/:id/unpublish',
        route: versionedRoute(
          'editor',
          'unpublishArticle',
          'Take a published or scheduled article back to draft; needs If-Match',
        ),
        move: articles.unpublish,
      },
      {
        path: '/:id/archive',
        route: versionedRoute(
          'editor',
          'archiveArticle',
          'Archive an article (off every public route, kept for the record); needs If-Match',
        ),
        move: articles.archive,
      },
    ];
    for (const { path, route, move } of transitions) {
      app.post(
        path,
        {
          ...route,
          schema: { ...route.schema, params: idParams, response: { 200: article, ...versioned } },
        },
        async (request, reply) => sendVersioned(reply, await move(versionedWrite(request))),
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

    // Corrections: changes to the article they correct, under its If-Match; the answer's ETag
    // is the article's new version.
    const correction = dataEnvelope(adminCorrectionSchema);
    app.get(
      '/:id/corrections',
      {
        config: { minRole: 'writer' },
        schema: {
          operationId: 'listArticleCorrections',
          summary: 'An article’s corrections, oldest first, each with its earlier wordings',
          security: bearerSecurity,
          params: idParams,
          response: {
            200: z.object({ data: z.array(adminCorrectionSchema).max(maxCorrectionsPerArticle) }),
            ...problemResponses(400, 401, 403, 404),
          },
        },
      },
      async (request) => ({ data: await articles.corrections.list(request.params.id) }),
    );

    const addCorrection = versionedRoute(
      'writer',
      'createArticleCorrection',
      'Add a correction, clarification, update or retraction (editors) to a published article; needs If-Match',
    );
    app.post(
      '/:id/corrections',
      {
        ...addCorrection,
        schema: {
          ...addCorrection.schema,
          params: idParams,
          body: createCorrectionBody.meta({ id: 'CreateCorrectionRequest' }),
          response: { 201: correction, ...versioned, ...problemResponses(415) },
        },
      },
      async (request, reply) => {
        const { correction: data, version } = await articles.corrections.add(
          versionedWrite(request),
          request.body,
        );
        return reply
          .code(201)
          .header('location', `/v1/admin/articles/${request.params.id}/corrections/${data.id}`)
          .header('etag', versionTag(version))
          .send({ data });
      },
    );

    const editCorrection = versionedRoute(
      'writer',
      'updateArticleCorrection',
      'Reword a correction (the old wording is kept in its history); needs the article’s If-Match',
    );
    app.patch(
      '/:id/corrections/:correctionId',
      {
        ...editCorrection,
        schema: {
          ...editCorrection.schema,
          params: correctionParams,
          body: updateCorrectionBody.meta({ id: 'UpdateCorrectionRequest' }),
          response: { 200: correction, ...versioned, ...problemResponses(415) },
        },
      },
      async (request, reply) => {
        const { correction: data, version } = await articles.corrections.edit(
          versionedWrite(request),
          request.params.correctionId,
          request.body,
        );
        return reply.header('etag', versionTag(version)).send({ data });
      },
    );

    const removeCorrection = versionedRoute(
      'editor',
      'deleteArticleCorrection',
      'Delete a correction while the article is a draft again; needs the article’s If-Match',
    );
    app.delete(
      '/:id/corrections/:correctionId',
      {
        ...removeCorrection,
        schema: {
          ...removeCorrection.schema,
          params: correctionParams,
          response: { 204: z.null().meta({ description: 'Deleted' }), ...versioned },
        },
      },
      async (request, reply) => {
        const version = await articles.corrections.remove(
          versionedWrite(request),
          request.params.correctionId,
        );
        return reply.code(204).header('etag', versionTag(version)).send(null);
      },
    );

    const restore = versionedRoute(
      'writer',
      'restoreArticleRevision',
      'Bring back an earlier version’s text as a new version; needs If-Match',
    );
    app.post(
      '/:id/revisions/:revisionId/restore',
      {
        ...restore,
        schema: {
          ...restore.schema,
          params: revisionParams,
          response: { 200: article, ...versioned },
        },
      },
      async (request, reply) =>
        sendVersioned(
          reply,
          await articles.restore(versionedWrite(request), request.params.revisionId),
        ),
    );
  };
}
