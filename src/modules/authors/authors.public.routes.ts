import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { notFound, problemResponses } from '../../errors.ts';
import { pageOf, readPage } from '../../pagination.ts';
import { publicSecurity } from '../../plugins/openapi.ts';
import { dataEnvelope, pageQuery, publicListEnvelope, slugParams } from '../../schemas.ts';
import { type AuthorsService, toPublicAuthor } from './authors.service.ts';
import { publicAuthorSchema } from './authors.schemas.ts';
import { type PublicVisibility } from '../shared/routes.ts';
import { type ContentKey, keys, surrogateKey } from '../shared/content-keys.ts';

/** Author responses depend on the authors shown and on their photos. */
function authorKeys(base: ContentKey[], shown: Array<{ photo: { id: string } | null }>): string {
  return surrogateKey([
    ...base,
    ...shown.flatMap((author) => (author.photo === null ? [] : [keys.photo(author.photo.id)])),
  ]);
}

export function authorPublicRoutes(
  authors: AuthorsService,
  visibility: PublicVisibility,
): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '',
      {
        schema: {
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
        const page = readPage('slug', request.query);
        const shown = pageOf('slug', page, await authors.listVisible(page, now));
        reply.header('surrogate-key', authorKeys([keys.authorList], shown.items));
        request.cacheExpiresAt = await visibility.nextChangeAt(now);
        return { data: shown.items.map(toPublicAuthor), meta: shown.meta };
      },
    );

    app.get(
      '/:slug',
      {
        schema: {
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
