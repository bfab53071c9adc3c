import { z } from 'zod';
import { maxSlugLength } from '../../lib/slugify.ts';
import { bounded, id, nonEmptyPatch, recordTimes, slug, text } from '../../schemas.ts';

export const tagLimits = { name: 100, description: 2000 };

export const tagSchema = z
  .object({
    id,
    slug: bounded(maxSlugLength),
    name: bounded(tagLimits.name),
    description: bounded(tagLimits.description).nullable(),
    ...recordTimes(),
  })
  .meta({ id: 'Tag' });
export type Tag = z.infer<typeof tagSchema>;

export const createTagBody = z.strictObject({
  name: text(tagLimits.name),
  slug: slug.optional().meta({ description: 'Generated from the name when absent.' }),
  description: text(tagLimits.description).optional(),
});
export type CreateTagInput = z.infer<typeof createTagBody>;

export const updateTagBody = nonEmptyPatch(
  z.strictObject({
    name: text(tagLimits.name).optional(),
    slug: slug.optional(),
    description: text(tagLimits.description).nullable().optional(),
  }),
);
export type UpdateTagInput = z.infer<typeof updateTagBody>;
