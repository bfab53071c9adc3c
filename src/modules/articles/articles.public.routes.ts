import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound, problemResponses } from '../../errors.ts';
import { publicSecurity } from '../../plugins/openapi.ts';
import { publicListEnvelope, slugParams } from '../../schemas.ts';
import { sendPublicAnswer } from '../shared/public-routes.ts';
import type { PublicArticlesService } from './articles.public.service.ts';
import {
  articleSummarySchema,
  articleQuery,
  articleResponseSchema,
  languageQuery,
  maxRelated,
  newsArticleSchema,
  publicListQuery,
  relatedQuery,
} from './articles.schemas.ts';

/**
 * Sends a body already serialised from this route's schema (documents rendered at write time,
 * articles.documents.ts): Fastify passes a string with a JSON type through as it is.
 */
function sendReadyJson(reply: FastifyReply, body: string, dependsOn: string): FastifyReply {
  return sendJsonText(reply.header('surrogate-key', dependsOn), body);
}

const jsonType = 'application/json; charset=utf-8';

/** Sends JSON text as it is (see sendReadyJson). */
export function sendJsonText(reply: FastifyReply, body: string): FastifyReply {
  return reply.type(jsonType).send(body);
}

export function articlePublicRoutes(articles: PublicArticlesService): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '',
      {
        schema: {
          operationId: 'listPublicArticles',
          summary:
            'Published articles, newest first (or by relevance with q), with bylines, tags and lead photo',
          security: publicSecurity,
          querystring: publicListQuery,
          response: { 200: publicListEnvelope(articleSummarySchema), ...problemResponses(400) },
        },
      },
      async (request, reply) => {
        const answer = await articles.list(request.query);
        return sendPublicAnswer(request, reply, answer, jsonType);
      },
    );

    app.get(
      '/:slug',
      {
        schema: {
          operationId: 'getPublicArticle',
          summary:
            'A published article with its HTML body; an old slug answers 301 to the current one',
          security: publicSecurity,
          params: slugParams,
          querystring: articleQuery,
          response: {
            200: articleResponseSchema,
            301: z.null().meta({
              description: 'Moved: the Location header has the article’s current address.',
            }),
            ...problemResponses(400, 404),
          },
        },
      },
      async (request, reply) => {
        const { language } = request.query;
        const result = await articles.findBySlug(language, request.params.slug);
        if (result === undefined) throw notFound('No published article with that slug.');
        if ('found' in result) {
          const { body, etag, surrogateKey: dependsOn } = result.found;
          if (request.query.include === 'structuredData')
            // Another body than the stored document's: the cache gives it an ETag of its own.
            return sendReadyJson(reply, articles.withStructuredData(body), dependsOn);
          return sendReadyJson(reply.header('etag', etag), body, dependsOn);
        }
        const { moved } = result;
        const query =
          request.query.language === undefined
            ? ''
            : `?language=${encodeURIComponent(moved.language)}`;
        return reply.code(301).header('location', `/v1/articles/${moved.slug}${query}`).send(null);
      },
    );

    app.get(
      '/:slug/jsonld',
      {
        schema: {
          operationId: 'getArticleStructuredData',
          summary:
            'The article as schema.org NewsArticle JSON-LD, for the page’s <script type="application/ld+json">',
          security: publicSecurity,
          params: slugParams,
          querystring: languageQuery,
          response: {
            200: {
              description: 'A schema.org NewsArticle (JSON-LD)',
              content: { 'application/ld+json': { schema: newsArticleSchema } },
            },
            ...problemResponses(400, 404),
          },
        },
      },
      async (request, reply) => {
        const found = await articles.structuredData(request.query.language, request.params.slug);
        if (found === undefined) throw notFound('No published article with that slug.');
        return reply
          .header('surrogate-key', found.surrogateKey)
          .type('application/ld+json; charset=utf-8')
          .send(found.body);
      },
    );

    app.get(
      '/:slug/related',
      {
        schema: {
          operationId: 'listRelatedArticles',
          summary: '"Read more": published articles sharing the most tags, then the most recent',
          security: publicSecurity,
          params: slugParams,
          querystring: relatedQuery,
          response: {
            200: z.object({ data: z.array(articleSummarySchema).max(maxRelated) }),
            ...problemResponses(400, 404),
          },
        },
      },
      async (request, reply) => {
        const answer = await articles.related(
          request.query.language,
          request.params.slug,
          request.query.limit,
        );
        if (answer === undefined) throw notFound('No published article with that slug.');
        return sendPublicAnswer(request, reply, answer, jsonType);
      },
    );
  };
}
