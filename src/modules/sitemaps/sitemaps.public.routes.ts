import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound, problemResponses } from '../../errors.ts';
import { publicSecurity } from '../../plugins/openapi.ts';
import { sendPublicAnswer } from '../shared/public-routes.ts';
import type { SitemapsService } from './sitemaps.service.ts';

// At the root, where crawlers look (a frontend proxies /robots.txt, /sitemap.xml and
// /sitemaps/* to the API). Cached and dropped like every public answer.

const xmlType = 'application/xml; charset=utf-8';

const xml = (description: string) => ({
  description,
  content: { 'application/xml': { schema: z.string().max(50_000_000) } },
});

const fileParams = z.strictObject({
  name: z
    .string()
    .max(40)
    .regex(
      /^(?:articles-\d{4}-\d{2}(?:-\d{1,3})?|news(?:-\d{1,2})?|pages)$/,
      'must name a sitemap file',
    )
    .meta({
      description: '`articles-2026-12`, `articles-2026-12-2`, `news`, `news-2` or `pages`.',
    }),
});

export function sitemapPublicRoutes(sitemaps: SitemapsService): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/sitemap.xml',
      {
        schema: {
          operationId: 'getSitemapIndex',
          summary: 'The sitemap index: a file per month of articles, Google News and pages',
          security: publicSecurity,
          response: { 200: xml('A sitemaps.org sitemap index') },
        },
      },
      async (request, reply) => sendPublicAnswer(request, reply, await sitemaps.index(), xmlType),
    );

    app.get(
      '/sitemaps/:name([^/]+).xml',
      {
        schema: {
          operationId: 'getSitemapFile',
          summary: 'One sitemap file: a month of articles, the Google News file or the pages',
          security: publicSecurity,
          params: fileParams,
          response: {
            200: xml('A sitemaps.org urlset (with the image or news extension)'),
            ...problemResponses(400, 404),
          },
        },
      },
      async (request, reply) => {
        const { name } = request.params;
        const month = /^articles-(\d{4})-(\d{2})(?:-(\d+))?$/.exec(name);
        const news = /^news(?:-(\d+))?$/.exec(name);
        const part = (value: string | undefined) => (value === undefined ? 1 : Number(value));
        const answer =
          month !== null
            ? await sitemaps.month(Number(month[1]), Number(month[2]), part(month[3]))
            : news !== null
              ? await sitemaps.news(part(news[1]))
              : await sitemaps.pages();
        if (answer === undefined) throw notFound('No such sitemap file.');
        return sendPublicAnswer(request, reply, answer, xmlType);
      },
    );

    app.get(
      '/robots.txt',
      {
        schema: {
          operationId: 'getRobotsTxt',
          summary: 'robots.txt naming the sitemap index',
          security: publicSecurity,
          response: {
            200: {
              description: 'robots.txt',
              content: { 'text/plain': { schema: z.string().max(1000) } },
            },
          },
        },
      },
      // Depends on configuration only: no content key, so only max-age bounds a cached copy.
      async (_request, reply) => reply.type('text/plain; charset=utf-8').send(sitemaps.robots()),
    );
  };
}
