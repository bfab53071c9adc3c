import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { keys } from '../shared/content-keys.ts';
import { visibleResourceRoutes } from '../shared/public-routes.ts';
import type { PublicVisibility } from '../shared/routes.ts';
import { type AuthorsService, toPublicAuthor } from './authors.service.ts';
import { publicAuthorSchema } from './authors.schemas.ts';

export function authorPublicRoutes(
  authors: AuthorsService,
  visibility: PublicVisibility,
): FastifyPluginAsyncZod {
  return async (app) =>
    visibleResourceRoutes(app, {
      schema: publicAuthorSchema,
      list: {
        operationId: 'listPublicAuthors',
        summary: 'Authors with a byline on at least one published article, alphabetically by slug',
      },
      get: {
        operationId: 'getPublicAuthor',
        summary: 'Get an author (byline) by slug (404 until a published article carries it)',
        notFound: 'No author with that slug.',
      },
      service: authors,
      toPublic: toPublicAuthor,
      // Author responses depend on the authors shown and on their portraits.
      keys: {
        list: keys.authorList,
        item: keys.author,
        embeds: (author) => (author.photo === null ? [] : [keys.photo(author.photo.id)]),
      },
      visibility,
    });
}
