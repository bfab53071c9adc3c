import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { notFound, problemResponses } from '../../errors.ts';
import { publicSecurity } from '../../plugins/openapi.ts';
import { sendPublicAnswer } from '../shared/public-routes.ts';
import { feedContentTypes, feedParams, feedQuery, feedResponse } from './feeds.schemas.ts';
import type { FeedFormat, FeedsService } from './feeds.service.ts';

// Site-wide, per tag and per author, each as RSS and Atom. The public scope caches them like
// every public answer, dropped by the same content keys.

const formats: FeedFormat[] = ['rss', 'atom'];
const formatName = { rss: 'RSS', atom: 'Atom' } as const;

export function feedPublicRoutes(feeds: FeedsService): FastifyPluginAsyncZod {
  return async (app) => {
    for (const format of formats) {
      app.get(
        `/articles.${format}`,
        {
          schema: {
            operationId: `getArticles${formatName[format]}Feed`,
            summary: `The newest published articles as ${formatName[format]} (FEED_ITEMS, default 20)`,
            security: publicSecurity,
            querystring: feedQuery,
            response: { 200: feedResponse(format), ...problemResponses(400) },
          },
        },
        async (request, reply) => {
          const answer = await feeds.feed({ kind: 'all' }, format, request.query.language);
          if (answer === undefined) throw notFound('No such feed.');
          return sendPublicAnswer(request, reply, answer, feedContentTypes[format]);
        },
      );

      for (const kind of ['tag', 'author'] as const) {
        app.get(
          // `[^/]+`: the default pattern stops at a newline, which a slug lookup answers with 404.
          `/${kind}s/:slug([^/]+).${format}`,
          {
            schema: {
              operationId: `get${kind === 'tag' ? 'Tag' : 'Author'}${formatName[format]}Feed`,
              summary: `The newest published articles ${kind === 'tag' ? 'with a tag' : 'by an author'} as ${formatName[format]}`,
              security: publicSecurity,
              params: feedParams,
              querystring: feedQuery,
              response: { 200: feedResponse(format), ...problemResponses(400, 404) },
            },
          },
          async (request, reply) => {
            const answer = await feeds.feed(
              { kind, slug: request.params.slug },
              format,
              request.query.language,
            );
            if (answer === undefined) throw notFound(`No ${kind} with that slug.`);
            return sendPublicAnswer(request, reply, answer, feedContentTypes[format]);
          },
        );
      }
    }
  };
}
