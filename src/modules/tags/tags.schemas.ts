import { z } from 'zod';
import { id, slug, text, timestamp, nonEmptyPatch } from '../../schemas.ts';

export const tagSchema = z
  .object({
    id,
    slug: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Tag' });
export type Tag = z.infer<typeof tagSchema>;

export const createTagBody = z.strictObject({
  name: text(100),
  slug: slug.optional().meta({ description: 'Generated from the name when absent.' }),
  description: text(2000).optional(),
});
export type CreateTagInput = z.infer<typeof createTagBody>;

export const updateTagBody = nonEmptyPatch(
  z.strictObject({
    name: text(100).optional(),
    slug: slug.optional(),
    description: text(2000).nullable().optional(),
  }),
);
export type UpdateTagInput = z.infer<typeof updateTagBody>;
