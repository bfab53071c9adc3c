import { z } from 'zod';
import {
  cursorQuery,
  id,
  limitQuery,
  nonEmptyPatch,
  slug,
  text,
  timestamp,
} from '../../schemas.ts';
import { photoSchema } from '../photos/photos.schemas.ts';

export const maxAuthorsPerArticle = 10;
export const maxTagsPerArticle = 10;
export const maxBodyLength = 200_000;

export const articleStatusSchema = z.enum(['draft', 'scheduled', 'published', 'archived']).meta({
  description: 'scheduled = published with a publishedAt still in the future (not yet public).',
});
export type ArticleStatus = z.infer<typeof articleStatusSchema>;

export const languageSchema = z
  .string()
  .regex(/^[a-z]{2,3}(?:-[A-Z]{2})?$/, 'must be a language code such as en, ru or pt-BR')
  .meta({ example: 'en' });

const bylineSchema = z.object({ id, slug: z.string(), name: z.string() }).meta({ id: 'Byline' });
const articleTagSchema = z
  .object({ id, slug: z.string(), name: z.string() })
  .meta({ id: 'ArticleTag' });

const publicArticleFields = {
  id,
  slug: z.string(),
  language: z.string(),
  headline: z.string(),
  dek: z.string().nullable(),
  excerpt: z.string(),
  wordCount: z.number().int(),
  readingTimeMinutes: z.number().int(),
  publishedAt: timestamp,
  updatedAt: timestamp,
  authors: z.array(bylineSchema).meta({ description: 'In byline order.' }),
  tags: z.array(articleTagSchema).meta({ description: 'In order; the first is the primary tag.' }),
  photo: photoSchema.nullable().meta({ description: 'The lead photo, with caption and credit.' }),
};

export const articleSummarySchema = z.object(publicArticleFields).meta({ id: 'ArticleSummary' });
export type ArticleSummary = z.infer<typeof articleSummarySchema>;

export const publicArticleSchema = z
  .object({ ...publicArticleFields, bodyHtml: z.string() })
  .meta({ id: 'Article' });
export type PublicArticle = z.infer<typeof publicArticleSchema>;

export const adminArticleSchema = z
  .object({
    ...publicArticleFields,
    publishedAt: timestamp.nullable(),
    customExcerpt: z
      .string()
      .nullable()
      .meta({ description: 'The excerpt as written; null when derived from the body.' }),
    body: z.string().meta({ description: 'Markdown (CommonMark).' }),
    bodyHtml: z.string(),
    status: articleStatusSchema,
    version: z
      .number()
      .int()
      .meta({ description: 'Also the ETag; send it back in If-Match to change the article.' }),
    createdAt: timestamp,
  })
  .meta({ id: 'AdminArticle' });
export type AdminArticle = z.infer<typeof adminArticleSchema>;

const uniqueIds = (max: number) =>
  z
    .array(id)
    .max(max)
    .refine((ids) => new Set(ids).size === ids.length, { message: 'must not repeat an id' });

export const createArticleBody = z.strictObject({
  headline: text(300),
  slug: slug
    .optional()
    .meta({ description: 'Generated from the headline when absent (unique per language).' }),
  language: languageSchema.optional().meta({ description: 'Defaults to en.' }),
  dek: text(500).optional(),
  excerpt: text(1000)
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
});
export type CreateArticleInput = z.infer<typeof createArticleBody>;

export const updateArticleBody = nonEmptyPatch(
  z.strictObject({
    headline: text(300).optional(),
    slug: slug.optional(),
    language: languageSchema.optional(),
    dek: text(500).nullable().optional(),
    excerpt: text(1000)
      .nullable()
      .optional()
      .meta({ description: 'null goes back to the derived excerpt.' }),
    body: z.string().max(maxBodyLength).optional(),
    authorIds: uniqueIds(maxAuthorsPerArticle).optional(),
    tagIds: uniqueIds(maxTagsPerArticle).optional(),
    photoId: id.nullable().optional(),
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

export const ifMatchHeaders = z.looseObject({
  'if-match': z
    .string()
    .max(200)
    .optional()
    .meta({ description: 'The article’s current ETag (its version), e.g. "3".' }),
});

const optionalSlug = z.string().min(1).max(200).optional();

export const adminListQuery = z.strictObject({
  limit: limitQuery,
  cursor: cursorQuery,
  status: articleStatusSchema.optional(),
  author: optionalSlug.meta({ description: 'Author slug.' }),
  tag: optionalSlug.meta({ description: 'Tag slug.' }),
  language: languageSchema.optional(),
  q: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .meta({ description: 'Full-text search; "phrases", -exclusions, prefix*.' }),
});

export const publicListQuery = z.strictObject({
  limit: limitQuery,
  cursor: cursorQuery,
  author: optionalSlug.meta({ description: 'Author slug.' }),
  tag: optionalSlug.meta({ description: 'Tag slug.' }),
  language: languageSchema.optional(),
  q: z.string().trim().min(1).max(200).optional().meta({
    description:
      'Full-text search, ranked (headline above dek above body); "phrases", -exclusions, prefix*.',
  }),
  publishedAfter: timestamp
    .optional()
    .meta({ description: 'Inclusive lower bound on publishedAt.' }),
  publishedBefore: timestamp
    .optional()
    .meta({ description: 'Exclusive upper bound on publishedAt.' }),
});
export type PublicListQuery = z.infer<typeof publicListQuery>;

export const languageQuery = z.strictObject({
  language: languageSchema
    .optional()
    .meta({ description: 'Which language’s article has this slug. Absent: any, English first.' }),
});

export const relatedQuery = z.strictObject({
  language: languageSchema.optional(),
  limit: z
    .string()
    .regex(/^\d{1,2}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1).max(10))
    .optional()
    .meta({ description: 'How many, 1–10 (default 3).' }),
});

export const revisionSchema = z
  .object({
    id,
    version: z.number().int().meta({ description: 'The article version this snapshot was.' }),
    createdAt: timestamp.meta({ description: 'When this version was replaced.' }),
    headline: z.string(),
    slug: z.string(),
    language: z.string(),
    dek: z.string().nullable(),
    customExcerpt: z.string().nullable(),
    body: z.string(),
    authorIds: z.array(z.string()),
    tagIds: z.array(z.string()),
    photoId: z.string().nullable(),
    status: z.enum(['draft', 'published', 'archived']),
    publishedAt: timestamp.nullable(),
  })
  .meta({ id: 'ArticleRevision' });
export type Revision = z.infer<typeof revisionSchema>;

export const revisionParams = z.strictObject({ id, revisionId: id });
