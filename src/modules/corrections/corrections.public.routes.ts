import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { problemResponses } from '../../errors.ts';
import { publicSecurity } from '../../plugins/openapi.ts';
import { publicListEnvelope } from '../../schemas.ts';
import { sendPublicAnswer } from '../shared/public-routes.ts';
import { feedContentTypes, feedQuery, feedResponse } from '../feeds/feeds.schemas.ts';
import { correctionsQuery, listedCorrectionSchema } from './corrections.schemas.ts';
import type { PublicCorrectionsService } from './corrections.service.ts';

// The standards page: every correction on a visible article, newest first.

export function correctionPublicRoutes(
  corrections: PublicCorrectionsService,
): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '',
      {
        schema: {
          operationId: 'listCorrections',
          summary: 'Corrections, clarifications, updates and retractions site-wide, newest first',
          security: publicSecurity,
          querystring: correctionsQuery,
          response: {
            200: publicListEnvelope(listedCorrectionSchema),
            ...problemResponses(400),
          },
        },
      },
      async (request, reply) =>
        sendPublicAnswer(
          request,
          reply,
          await corrections.list(request.query),
          'application/json; charset=utf-8',
        ),
    );
  };
}

/** Mounted under /v1/feeds beside the article feeds. */
export function correctionFeedRoutes(corrections: PublicCorrectionsService): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/corrections.rss',
      {
        schema: {
          operationId: 'getCorrectionsRssFeed',
          summary: 'The newest corrections as RSS (FEED_ITEMS, default 20)',
          security: publicSecurity,
          querystring: feedQuery,
          response: {
            200: {
              ...feedResponse('rss'),
              description: 'RSS 2.0: an item per correction, linking to the article it corrects',
            },
            ...problemResponses(400),
          },
        },
      },
      async (request, reply) =>
        sendPublicAnswer(
          request,
          reply,
          await corrections.feed(request.query.language),
          feedContentTypes.rss,
        ),
    );
  };
}
