import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound, problemResponses } from '../../errors.ts';
import { publicSecurity } from '../../plugins/openapi.ts';
import { dataEnvelope, publicListEnvelope, slugParams } from '../../schemas.ts';
import { surrogateKey } from '../shared/content-keys.ts';
import type { PublicArticlesService } from './articles.public.service.ts';
import {
  articleSummarySchema,
  languageQuery,
  maxRelated,
  publicArticleSchema,
  publicListQuery,
  relatedQuery,
} from './articles.schemas.ts';

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
        reply.header('surrogate-key', surrogateKey(answer.keys));
        request.cacheExpiresAt = answer.expiresAt;
        const { items, limit, nextCursor } = answer.data;
        return { data: items, meta: { limit, nextCursor } };
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
          querystring: languageQuery,
          response: {
            200: dataEnvelope(publicArticleSchema),
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
          reply.header('surrogate-key', surrogateKey(result.found.keys));
          return { data: result.found.data };
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
        reply.header('surrogate-key', surrogateKey(answer.keys));
        request.cacheExpiresAt = answer.expiresAt;
        return { data: answer.data };
      },
    );
  };
}
