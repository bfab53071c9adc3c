import { z } from 'zod';
import { languageSchema } from '../articles/articles.schemas.ts';
import { slugParams } from '../../schemas.ts';

export const feedQuery = z.strictObject({
  language: languageSchema
    .optional()
    .meta({ description: 'Only articles in this language. Absent: every language.' }),
});

export const feedParams = slugParams;

export const feedContentTypes = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
} as const;

/** The 200 of a feed route: XML, documented as the string it is. */
export const feedResponse = (format: 'rss' | 'atom') => ({
  description:
    format === 'rss'
      ? 'RSS 2.0 with content:encoded, one dc:creator per byline and Media RSS photo credits'
      : 'Atom 1.0 with the HTML body, one author per byline and Media RSS photo credits',
  content: {
    [format === 'rss' ? 'application/rss+xml' : 'application/atom+xml']: {
      schema: z.string().max(50_000_000),
    },
  },
});
