import { z } from 'zod';
import { id, slug, text, timestamp } from '../../schemas.ts';

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

export const updateTagBody = z
  .strictObject({
    name: text(100).optional(),
    slug: slug.optional(),
    description: text(2000).nullable().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, {
    message: 'Send at least one field to change.',
  });
export type UpdateTagInput = z.infer<typeof updateTagBody>;
