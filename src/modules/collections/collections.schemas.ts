import { z } from 'zod';
import { collectionLimits as limits } from '../../db/schema/collections.ts';
import { maxSlugLength } from '../../lib/slugify.ts';
import {
  bounded,
  id,
  languageSchema,
  nonEmptyPatch,
  plainText,
  recordTimes,
  slug,
  text,
  timestamp,
} from '../../schemas.ts';
import { articleStatusSchema, articleSummarySchema } from '../articles/articles.schemas.ts';
import { photoSchema } from '../photos/photos.schemas.ts';

// Fronts and sections: what editors send and get, and what readers get.

const version = z.number().int().min(1).max(999_999_999);
const size = z
  .int({ error: 'must be a whole number' })
  .min(1)
  .max(limits.maxSize)
  .meta({ description: `How many slots readers get, 1–${limits.maxSize}.` });

const slotInput = z.strictObject({
  articleId: id,
  headline: text(limits.headline)
    .nullable()
    .optional()
    .meta({ description: 'Shown on this front instead of the article’s headline.' }),
  dek: text(limits.dek)
    .nullable()
    .optional()
    .meta({ description: 'Shown instead of the article’s dek.' }),
  photoId: id.nullable().optional().meta({ description: 'Shown instead of its lead photo.' }),
});

/** Each article once: a second slot for it is refused on its `articleId`. */
const slotsInput = z
  .array(slotInput)
  .max(limits.maxSize)
  .superRefine((slots, context) => {
    const seen = new Set<string>();
    slots.forEach((slot, index) => {
      if (seen.has(slot.articleId))
        context.addIssue({
          code: 'custom',
          path: [index, 'articleId'],
          message: 'This article is pinned in an earlier slot already.',
        });
      seen.add(slot.articleId);
    });
  })
  .meta({
    description:
      'The pinned articles in order: they take the first slots. The whole list is replaced, so one request reorders, pins, unpins and replaces.',
  });

const backfillInput = z
  .strictObject({
    tagIds: z
      .array(id)
      .max(limits.maxBackfillTags)
      .refine((ids) => new Set(ids).size === ids.length, 'must not repeat a tag')
      .optional()
      .meta({ description: 'Articles carrying any of these tags. None: any tag.' }),
    authorId: id.nullable().optional().meta({ description: 'Articles with this byline.' }),
    language: languageSchema
      .nullable()
      .optional()
      .meta({ description: 'Articles in this language.' }),
  })
  .nullable()
  .meta({
    description:
      'Fills the slots the pinned articles leave with the newest visible articles matching every condition set, skipping the pinned ones. `{}` takes the newest of all; null (or absent) shows the pinned articles only.',
  });

export type SlotInput = z.infer<typeof slotInput>;
export type BackfillInput = z.infer<typeof backfillInput>;

/** Refused when the slots pinned exceed the size: on `items`, whichever of the two was sent. */
export const tooManySlots = (pinned: number, size: number) =>
  `${pinned} pinned articles do not fit in ${size} slots: unpin some or raise size.`;

export const createCollectionBody = z
  .strictObject({
    name: text(limits.name),
    slug: slug.optional().meta({ description: 'Generated from the name when absent.' }),
    language: languageSchema.meta({ description: 'The language of the front’s frontend.' }),
    size: size.default(limits.defaultSize),
    items: slotsInput.default([]),
    backfill: backfillInput.optional(),
  })
  .superRefine((body, context) => {
    if (body.items.length > body.size)
      context.addIssue({
        code: 'custom',
        path: ['items'],
        message: tooManySlots(body.items.length, body.size),
      });
  });
export type CreateCollectionInput = z.infer<typeof createCollectionBody>;

export const updateCollectionBody = nonEmptyPatch(
  z.strictObject({
    name: text(limits.name).optional(),
    slug: slug.optional(),
    language: languageSchema.optional(),
    size: size.optional(),
    items: slotsInput.optional(),
    backfill: backfillInput.optional(),
  }),
);
export type UpdateCollectionInput = z.infer<typeof updateCollectionBody>;

const backfillOut = z
  .object({
    tagIds: z.array(id).max(limits.maxBackfillTags),
    authorId: id.nullable(),
    language: bounded(10).nullable(),
  })
  .nullable()
  .meta({ id: 'CollectionBackfill' });

export const adminCollectionSchema = z
  .object({
    id,
    slug: bounded(maxSlugLength),
    name: bounded(limits.name),
    language: bounded(10),
    size: z.number().int().min(1).max(limits.maxSize),
    items: z
      .array(
        z
          .object({
            articleId: id,
            headline: bounded(limits.headline).nullable(),
            dek: bounded(limits.dek).nullable(),
            photoId: id.nullable(),
            article: z
              .object({
                slug: bounded(maxSlugLength),
                language: bounded(10),
                headline: bounded(limits.headline),
                status: articleStatusSchema,
              })
              .meta({
                description:
                  'The pinned article as it stands: readers see it only once it is public.',
              }),
          })
          .meta({ id: 'CollectionSlot' }),
      )
      .max(limits.maxSize),
    backfill: backfillOut,
    version: version.meta({ description: 'Also the ETag; send it back in If-Match to change it.' }),
    ...recordTimes(),
  })
  .meta({ id: 'AdminCollection' });
export type AdminCollection = z.infer<typeof adminCollectionSchema>;

/** One slot as readers get it, before its article (added as the list item it already is). */
export const publicSlotHeadSchema = z.object({
  pinned: z.boolean().meta({ description: 'Placed by an editor; false: filled by the rule.' }),
  headline: plainText(limits.headline).meta({
    description: 'The front’s headline, else the article’s.',
  }),
  dek: plainText(limits.dek).nullable(),
  photo: photoSchema.nullable().meta({ description: 'The front’s photo, else the lead photo.' }),
});

export const publicCollectionHeadSchema = z.object({
  slug: bounded(maxSlugLength),
  name: plainText(limits.name),
  language: bounded(10),
  updatedAt: timestamp,
});

export const publicCollectionSchema = publicCollectionHeadSchema
  .extend({
    items: z
      .array(
        publicSlotHeadSchema
          .extend({ article: articleSummarySchema })
          .meta({ id: 'CollectionItem' }),
      )
      .max(limits.maxSize),
  })
  .meta({ id: 'Collection' });
