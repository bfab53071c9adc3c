import { searchSyntaxDescription } from '../../lib/search-query.ts';
import { z } from 'zod';
import {
  bounded,
  cursorQuery,
  httpUrl,
  id,
  languageSchema,
  maxUrlLength,
  limitQuery,
  nonEmptyPatch,
  plainText,
  renderedHtml,
  slug,
  text,
  timestamp,
} from '../../schemas.ts';
import { maxSlugLength } from '../../lib/slugify.ts';
import { maxEditions } from '../../db/schema/articles.ts';
import { maxRenderedHtmlLength } from '../../lib/markdown.ts';
import { photoSchema } from '../photos/photos.schemas.ts';
import {
  correctionSchema,
  maxCorrectionLength,
  maxCorrectionsPerArticle,
} from '../corrections/corrections.schemas.ts';
import { authorLimits } from '../authors/authors.schemas.ts';
import { tagLimits } from '../tags/tags.schemas.ts';

export const maxAuthorsPerArticle = 10;
export const maxTagsPerArticle = 10;
export const maxBodyLength = 200_000;
const limits = { headline: 300, dek: 500, excerpt: 1000, language: 10 };
/** Search and social overrides: bounded like the headline and excerpt they stand in for. */
export const seoLimits = { title: limits.headline, description: limits.excerpt };

export const articleStatusSchema = z.enum(['draft', 'scheduled', 'published', 'archived']).meta({
  description: 'scheduled = published with a publishedAt still in the future (not yet public).',
});
export type ArticleStatus = z.infer<typeof articleStatusSchema>;

export { languageSchema };

const slugOut = bounded(maxSlugLength);
const bylineSchema = z
  .object({ id, slug: slugOut, name: bounded(authorLimits.name) })
  .meta({ id: 'Byline' });
const articleTagSchema = z
  .object({ id, slug: slugOut, name: bounded(tagLimits.name) })
  .meta({ id: 'ArticleTag' });

const publicArticleFields = {
  id,
  slug: slugOut,
  language: bounded(limits.language),
  headline: plainText(limits.headline),
  dek: plainText(limits.dek).nullable(),
  excerpt: plainText(limits.excerpt),
  wordCount: z.number().int().min(0),
  readingTimeMinutes: z.number().int().min(0),
  publishedAt: timestamp,
  updatedAt: timestamp,
  authors: z
    .array(bylineSchema)
    .max(maxAuthorsPerArticle)
    .meta({ description: 'In byline order.' }),
  tags: z
    .array(articleTagSchema)
    .max(maxTagsPerArticle)
    .meta({ description: 'In order; the first is the primary tag.' }),
  photo: photoSchema.nullable().meta({ description: 'The lead photo, with caption and credit.' }),
};

/** Public responses only: where the frontend shows the article, its canonical address. */
const publicUrl = {
  url: bounded(maxUrlLength).meta({
    description: 'The article on the frontend (ARTICLE_URL_TEMPLATE): its canonical address.',
  }),
};

const correctionsList = z
  .array(correctionSchema)
  .max(maxCorrectionsPerArticle)
  .meta({ description: 'Corrections, clarifications, updates and retractions, oldest first.' });

/** What search engines and social cards show, resolved: an override, else the article's own. */
const publicSeoFields = {
  seo: z
    .object({
      title: plainText(seoLimits.title).meta({ description: 'The override, else the headline.' }),
      description: plainText(seoLimits.description).meta({
        description: 'The override, else the dek, else the excerpt.',
      }),
      canonicalUrl: bounded(maxUrlLength).meta({
        description: 'The override (a syndicated copy’s original), else `url`.',
      }),
      noindex: z.boolean().meta({
        description: 'Ask search engines not to index the page (`<meta name="robots">`).',
      }),
    })
    .meta({ id: 'ArticleSeo' }),
  social: z
    .object({
      title: plainText(seoLimits.title).meta({
        description: 'For Open Graph and Twitter cards: the override, else `seo.title`.',
      }),
      description: plainText(seoLimits.description).meta({
        description: 'The override, else `seo.description`.',
      }),
      photo: photoSchema.nullable().meta({ description: 'The card photo, else the lead photo.' }),
    })
    .meta({ id: 'ArticleSocial' }),
};

export const articleSummarySchema = z
  .object({ ...publicArticleFields, ...publicUrl })
  .meta({ id: 'ArticleSummary' });
export type ArticleSummary = z.infer<typeof articleSummarySchema>;

export const publicArticleSchema = z
  .object({
    ...publicArticleFields,
    ...publicUrl,
    bodyHtml: renderedHtml(maxRenderedHtmlLength),
    ...publicSeoFields,
    corrections: correctionsList,
    translations: z
      .array(
        z
          .object({ language: bounded(limits.language), slug: slugOut, url: bounded(maxUrlLength) })
          .meta({ id: 'ArticleTranslation' }),
      )
      .max(maxEditions)
      .meta({
        description:
          'The same story in other languages: the editions readers can see now, by language.',
      }),
  })
  .meta({ id: 'Article' });
export type PublicArticle = z.infer<typeof publicArticleSchema>;

const adminSeoSchema = z
  .object({
    title: bounded(seoLimits.title).nullable(),
    description: bounded(seoLimits.description).nullable(),
    canonicalUrl: bounded(maxUrlLength).nullable(),
    noindex: z.boolean(),
  })
  .meta({ id: 'AdminArticleSeo', description: 'As set; null falls back (see `Article.seo`).' });
const adminSocialSchema = z
  .object({
    title: bounded(seoLimits.title).nullable(),
    description: bounded(seoLimits.description).nullable(),
    photoId: id.nullable(),
  })
  .meta({
    id: 'AdminArticleSocial',
    description: 'As set; null falls back (see `Article.social`).',
  });

const embargoLimits = { source: 200, note: 1000 };

const adminEmbargoSchema = z
  .object({
    until: timestamp,
    source: bounded(embargoLimits.source).nullable(),
    note: bounded(embargoLimits.note).nullable(),
  })
  .nullable()
  .meta({
    id: 'ArticleEmbargo',
    description:
      'While set and in the future, the article is on no public surface (it reads as scheduled), whatever its publication time.',
  });

export const embargoBody = z.strictObject({
  until: timestamp.meta({
    description: 'When the embargo lifts: the article is first public then, not before.',
  }),
  source: text(embargoLimits.source)
    .optional()
    .meta({ description: 'Who set it (the wire or agency).' }),
  note: text(embargoLimits.note).optional().meta({ description: 'For the desk; never public.' }),
});
export type EmbargoInput = z.infer<typeof embargoBody>;

export const adminArticleSchema = z
  .object({
    ...publicArticleFields,
    publishedAt: timestamp.nullable(),
    customExcerpt: bounded(limits.excerpt)
      .nullable()
      .meta({ description: 'The excerpt as written; null when derived from the body.' }),
    body: bounded(maxBodyLength).meta({ description: 'Markdown (CommonMark).' }),
    bodyHtml: renderedHtml(maxRenderedHtmlLength),
    status: articleStatusSchema,
    version: z
      .number()
      .int()
      .min(1)
      .meta({ description: 'Also the ETag; send it back in If-Match to change the article.' }),
    createdAt: timestamp,
    seo: adminSeoSchema,
    social: adminSocialSchema,
    corrections: correctionsList,
    embargo: adminEmbargoSchema,
    translationGroupId: bounded(64)
      .nullable()
      .meta({ description: 'Shared by the editions of one story in several languages.' }),
    translations: z
      .array(
        z.object({
          id,
          language: bounded(limits.language),
          slug: slugOut,
          status: articleStatusSchema,
        }),
      )
      .max(maxEditions)
      .meta({ description: 'The other editions of the story, any status, by language.' }),
  })
  .meta({ id: 'AdminArticle' });

export const createTranslationBody = z.strictObject({
  language: languageSchema.meta({ description: 'The new edition’s language.' }),
});
export type AdminArticle = z.infer<typeof adminArticleSchema>;

const uniqueIds = (max: number) =>
  z
    .array(id)
    .max(max)
    .refine((ids) => new Set(ids).size === ids.length, { message: 'must not repeat an id' });

const seoInput = z
  .strictObject({
    title: text(seoLimits.title)
      .nullable()
      .optional()
      .meta({ description: 'The search result title; null: the headline.' }),
    description: text(seoLimits.description)
      .nullable()
      .optional()
      .meta({ description: 'The meta description; null: the dek, else the excerpt.' }),
    canonicalUrl: httpUrl.nullable().optional().meta({
      description:
        'Only for a copy whose original is elsewhere (syndication); null: the article’s own URL. Left out of sitemaps while set.',
    }),
    noindex: z
      .boolean()
      .optional()
      .meta({ description: 'Keep it out of search engines and sitemaps. Default false.' }),
  })
  .meta({ description: 'Fields left out stay as they are; null clears one.' });

const socialInput = z
  .strictObject({
    title: text(seoLimits.title)
      .nullable()
      .optional()
      .meta({ description: 'The social card title; null: the SEO title.' }),
    description: text(seoLimits.description)
      .nullable()
      .optional()
      .meta({ description: 'null: the SEO description.' }),
    photoId: id
      .nullable()
      .optional()
      .meta({ description: 'The card photo; null: the lead photo.' }),
  })
  .meta({ description: 'Fields left out stay as they are; null clears one.' });
export type SeoInput = z.infer<typeof seoInput>;
export type SocialInput = z.infer<typeof socialInput>;

export const createArticleBody = z.strictObject({
  headline: text(limits.headline),
  slug: slug
    .optional()
    .meta({ description: 'Generated from the headline when absent (unique per language).' }),
  language: languageSchema.optional().meta({ description: 'Defaults to en.' }),
  dek: text(limits.dek).optional(),
  excerpt: text(limits.excerpt)
    .optional()
    .meta({ description: 'Derived from the first paragraph when absent.' }),
  body: z
    .string()
    .max(maxBodyLength)
    .default('')
    .meta({ description: 'Markdown (CommonMark). Raw HTML is escaped.' }),
  authorIds: uniqueIds(maxAuthorsPerArticle).optional().meta({ description: 'Bylines, in order.' }),
  tagIds: uniqueIds(maxTagsPerArticle)
    .optional()
    .meta({ description: 'In order; the first is the primary tag.' }),
  photoId: id.optional().meta({ description: 'The lead photo.' }),
  seo: seoInput.optional(),
  social: socialInput.optional(),
});
export type CreateArticleInput = z.infer<typeof createArticleBody>;

export const updateArticleBody = nonEmptyPatch(
  z.strictObject({
    headline: text(limits.headline).optional(),
    slug: slug.optional(),
    language: languageSchema.optional(),
    dek: text(limits.dek).nullable().optional(),
    excerpt: text(limits.excerpt)
      .nullable()
      .optional()
      .meta({ description: 'null goes back to the derived excerpt.' }),
    body: z.string().max(maxBodyLength).optional(),
    authorIds: uniqueIds(maxAuthorsPerArticle).optional(),
    tagIds: uniqueIds(maxTagsPerArticle).optional(),
    photoId: id.nullable().optional(),
    seo: seoInput.optional(),
    social: socialInput.optional(),
  }),
);
export type UpdateArticleInput = z.infer<typeof updateArticleBody>;

export const publishArticleBody = z
  .strictObject({
    publishedAt: timestamp
      .optional()
      .meta({ description: 'Defaults to now. In the future: scheduled.' }),
  })
  // The body may be left out entirely (Fastify then hands over null).
  .nullish();

const optionalSlug = z.string().min(1).max(200).optional();

export const adminListQuery = z.strictObject({
  limit: limitQuery,
  cursor: cursorQuery,
  status: articleStatusSchema.optional(),
  author: optionalSlug.meta({ description: 'Author slug.' }),
  tag: optionalSlug.meta({ description: 'Tag slug.' }),
  language: languageSchema.optional(),
  q: z.string().trim().min(1).max(200).optional().meta({ description: searchSyntaxDescription }),
});

export const publicListQuery = z.strictObject({
  limit: limitQuery,
  cursor: cursorQuery,
  author: optionalSlug.meta({ description: 'Author slug.' }),
  tag: optionalSlug.meta({ description: 'Tag slug.' }),
  language: languageSchema.optional(),
  q: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .meta({
      description: `Ranked by relevance (headline above dek above body). ${searchSyntaxDescription}`,
    }),
  publishedAfter: timestamp
    .optional()
    .meta({ description: 'Inclusive lower bound on publishedAt.' }),
  publishedBefore: timestamp
    .optional()
    .meta({ description: 'Exclusive upper bound on publishedAt.' }),
});

export const languageQuery = z.strictObject({
  language: languageSchema
    .optional()
    .meta({ description: 'Which language’s article has this slug. Absent: any, English first.' }),
});

export const maxRelated = 10;

export const relatedQuery = z.strictObject({
  language: languageSchema.optional(),
  limit: z
    .string()
    .max(2)
    .regex(/^\d{1,2}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1).max(maxRelated))
    .optional()
    .meta({ description: `How many, 1–${maxRelated} (default 3).` }),
});

export const revisionSchema = z
  .object({
    id,
    version: z
      .number()
      .int()
      .min(1)
      .meta({ description: 'The article version this snapshot was.' }),
    createdAt: timestamp.meta({ description: 'When this version was replaced.' }),
    headline: plainText(limits.headline),
    slug: slugOut,
    language: bounded(limits.language),
    dek: plainText(limits.dek).nullable(),
    customExcerpt: bounded(limits.excerpt).nullable(),
    body: bounded(maxBodyLength),
    authorIds: z.array(id).max(maxAuthorsPerArticle),
    tagIds: z.array(id).max(maxTagsPerArticle),
    photoId: id.nullable(),
    status: z.enum(['draft', 'published', 'archived']),
    publishedAt: timestamp.nullable(),
    seo: adminSeoSchema,
    social: adminSocialSchema,
  })
  .meta({ id: 'ArticleRevision' });
export type Revision = z.infer<typeof revisionSchema>;

export const revisionParams = z.strictObject({ id, revisionId: id });

/** An ISO 8601 date-time with an explicit offset, as Google's structured data wants. */
const offsetDateTime = z
  .string()
  .max(40)
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[+-]\d{2}:\d{2})$/);
const quantity = z.object({ '@type': z.literal('QuantitativeValue'), value: z.number().int() });

/** The NewsArticle JSON-LD of `GET /v1/articles/{slug}/jsonld`. */
export const newsArticleSchema = z
  .object({
    '@context': z.literal('https://schema.org'),
    '@type': z.literal('NewsArticle'),
    '@id': bounded(maxUrlLength + 10),
    url: bounded(maxUrlLength),
    mainEntityOfPage: z.object({ '@type': z.literal('WebPage'), '@id': bounded(maxUrlLength) }),
    headline: bounded(limits.headline),
    description: bounded(limits.excerpt),
    inLanguage: bounded(limits.language),
    datePublished: offsetDateTime,
    dateModified: offsetDateTime,
    author: z
      .array(
        z.object({
          '@type': z.literal('Person'),
          name: bounded(authorLimits.name),
          url: bounded(maxUrlLength),
        }),
      )
      .max(maxAuthorsPerArticle),
    publisher: z.object({
      '@type': z.literal('NewsMediaOrganization'),
      name: bounded(200),
      url: bounded(maxUrlLength),
    }),
    image: z
      .array(
        z.object({
          '@type': z.literal('ImageObject'),
          url: bounded(maxUrlLength),
          contentUrl: bounded(maxUrlLength),
          width: quantity.optional(),
          height: quantity.optional(),
          caption: bounded(1000).optional(),
          creditText: bounded(300),
          creator: z
            .object({ '@type': z.enum(['Person', 'Organization']), name: bounded(200) })
            .optional(),
          copyrightNotice: bounded(300),
          license: bounded(maxUrlLength).optional(),
        }),
      )
      .max(1)
      .optional()
      .meta({ description: 'The lead photo, with its credit as creditText and copyrightNotice.' }),
    articleSection: bounded(tagLimits.name).optional(),
    keywords: z.array(bounded(tagLimits.name)).max(maxTagsPerArticle).optional(),
    wordCount: z.number().int().min(0),
    isAccessibleForFree: z.boolean(),
    correction: z
      .array(
        z.object({
          '@type': z.literal('CorrectionComment'),
          text: bounded(maxCorrectionLength),
          datePublished: offsetDateTime,
        }),
      )
      .max(maxCorrectionsPerArticle)
      .optional()
      .meta({ description: 'The article’s corrections, oldest first.' }),
  })
  .meta({ id: 'NewsArticleJsonLd' });
export type NewsArticleJsonLd = z.output<typeof newsArticleSchema>;

/** The article route's query: its language, and what to add to the article. */
export const articleQuery = languageQuery.extend({
  include: z
    .enum(['structuredData'])
    .optional()
    .meta({ description: '`structuredData`: the NewsArticle JSON-LD too, as `structuredData`.' }),
});

export const articleResponseSchema = z.object({
  data: publicArticleSchema,
  structuredData: newsArticleSchema
    .optional()
    .meta({ description: 'With `include=structuredData`: what `…/jsonld` answers.' }),
});
