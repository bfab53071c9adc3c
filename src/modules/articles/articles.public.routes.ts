import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound, problemResponses } from '../../errors.ts';
import { encodeCursor } from '../../lib/cursor.ts';
import { pageLimit, readCursor } from '../../pagination.ts';
import { publicSecurity } from '../../plugins/openapi.ts';
import { dataEnvelope, publicListEnvelope, slugParams } from '../../schemas.ts';
import type {
  ListBound,
  PublicArticlesRepository,
  PublicListFilters,
} from './articles.public.repository.ts';
import { searchMatch } from './articles.service.ts';
import {
  type ArticleSummary,
  articleSummarySchema,
  languageQuery,
  publicArticleSchema,
  publicListQuery,
  maxRelated,
  relatedQuery,
} from './articles.schemas.ts';
import { articleKeys, keys, surrogateKey } from '../shared/content-keys.ts';

const tags = ['Articles'];
// A list page resumes below (publishedAt, id); a search page at an offset in relevance order.
const cursorShape = z.union([
  z.tuple([z.number().int(), z.string()]),
  z.tuple([z.literal('search'), z.number().int().min(0).max(10_000)]),
]);
const maxSearchDepth = 1000;
const defaultRelated = 3;

/**
 * What a response depends on, for CDN purges (Surrogate-Key) and the in-process cache. Ids, not
 * slugs, so a rename purges the right entries. `articles` marks responses that depend on which
 * articles are public (lists, search, "Read more").
 */

/** The smallest of the bounds a page must stay below, compared as (publishedAt, id) pairs. */
function lowestBound(bounds: ListBound[]): ListBound {
  return bounds.reduce((lowest, bound) =>
    bound.at < lowest.at || (bound.at === lowest.at && bound.id < lowest.id) ? bound : lowest,
  );
}

/** Ranked public search; it may run elsewhere (a worker thread) under a time budget. */
export type PublicSearch = (task: {
  match: string;
  filters: PublicListFilters;
  offset: number;
  limit: number;
  now: Date;
}) => Promise<ArticleSummary[]>;

export function articlePublicRoutes(
  articles: PublicArticlesRepository,
  clock: { now: () => Date },
  search: PublicSearch,
): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '',
      {
        schema: {
          tags,
          operationId: 'listPublicArticles',
          summary:
            'Published articles, newest first (or by relevance with q), with bylines, tags and lead photo',
          security: publicSecurity,
          querystring: publicListQuery,
          response: { 200: publicListEnvelope(articleSummarySchema), ...problemResponses(400) },
        },
      },
      async (request, reply) => {
        const {
          limit: requested,
          cursor,
          q,
          tag,
          author,
          language,
          publishedAfter,
          publishedBefore,
        } = request.query;
        const limit = pageLimit(requested);
        const now = clock.now();
        const filters = {
          tagSlug: tag,
          authorSlug: author,
          language,
          publishedAfter: publishedAfter === undefined ? undefined : new Date(publishedAfter),
          publishedBefore: publishedBefore === undefined ? undefined : new Date(publishedBefore),
        };
        const position = readCursor(cursor, cursorShape);

        let items: ArticleSummary[];
        let nextCursor: string | null = null;
        if (q !== undefined) {
          const offset = position?.[0] === 'search' ? position[1] : 0;
          const match = searchMatch(q);
          const rows =
            match === null || offset >= maxSearchDepth
              ? []
              : await search({ match, filters, offset, limit: limit + 1, now });
          items = rows.slice(0, limit);
          if (rows.length > limit && offset + limit < maxSearchDepth)
            nextCursor = encodeCursor(['search', offset + limit]);
        } else {
          const bounds: ListBound[] = [{ at: now.getTime() + 1, id: '' }];
          if (filters.publishedBefore !== undefined)
            bounds.push({ at: filters.publishedBefore.getTime(), id: '' });
          if (position !== null && typeof position[0] === 'number')
            bounds.push({ at: position[0], id: String(position[1]) });
          const rows = await articles.list(filters, lowestBound(bounds), limit + 1, now);
          items = rows.slice(0, limit);
          const last = items.at(-1);
          if (rows.length > limit && last !== undefined)
            nextCursor = encodeCursor([Date.parse(last.publishedAt), last.id]);
        }
        reply.header('surrogate-key', surrogateKey([keys.articleList, ...articleKeys(items)]));
        request.cacheExpiresAt = await articles.nextDueAt(now);
        return { data: items, meta: { limit, nextCursor } };
      },
    );

    app.get(
      '/:slug',
      {
        schema: {
          tags,
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
        const now = clock.now();
        const article = await articles.findBySlug(language, request.params.slug, now);
        if (article !== undefined) {
          // Which article a bare slug resolves to depends on every article sharing it.
          reply.header(
            'surrogate-key',
            surrogateKey([keys.articleSlug(article.slug), ...articleKeys([article])]),
          );
          return { data: article };
        }
        const moved = await articles.findRedirect(language, request.params.slug, now);
        if (moved === undefined) throw notFound('No published article with that slug.');
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
          tags,
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
        const now = clock.now();
        const article = await articles.findIdentity(
          request.query.language,
          request.params.slug,
          now,
        );
        if (article === undefined) throw notFound('No published article with that slug.');
        const related = await articles.related(article, request.query.limit ?? defaultRelated, now);
        reply.header(
          'surrogate-key',
          surrogateKey([keys.articleList, keys.article(article.id), ...articleKeys(related)]),
        );
        request.cacheExpiresAt = await articles.nextDueAt(now);
        return { data: related };
      },
    );
  };
}
