import { z } from 'zod';
import { emailAddress, httpUrl, id, nonEmptyPatch, slug, text, timestamp } from '../../schemas.ts';
import { photoSchema } from '../photos/photos.schemas.ts';

const linkSchema = z.object({ label: z.string(), url: z.string() }).meta({ id: 'AuthorLink' });
const linkInput = z.strictObject({ label: text(60), url: httpUrl });

/** What readers see. Never add private fields here: response schemas are the allow-list. */
export const publicAuthorSchema = z
  .object({
    id,
    slug: z.string(),
    name: z.string(),
    bio: z.string().nullable(),
    photo: photoSchema.nullable(),
    links: z.array(linkSchema),
  })
  .meta({ id: 'Author' });
export type PublicAuthor = z.infer<typeof publicAuthorSchema>;

export const adminAuthorSchema = publicAuthorSchema
  .extend({
    email: z
      .string()
      .nullable()
      .meta({ description: 'Private: for the newsroom, never shown to readers.' }),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'AdminAuthor' });
export type AdminAuthor = z.infer<typeof adminAuthorSchema>;

export const createAuthorBody = z.strictObject({
  name: text(120),
  slug: slug.optional().meta({ description: 'Generated from the name when absent.' }),
  bio: text(5000).optional(),
  email: emailAddress.optional(),
  photoId: id.optional(),
  links: z.array(linkInput).max(10).optional(),
});
export type CreateAuthorInput = z.infer<typeof createAuthorBody>;

export const updateAuthorBody = nonEmptyPatch(
  z.strictObject({
    name: text(120).optional(),
    slug: slug.optional(),
    bio: text(5000).nullable().optional(),
    email: emailAddress.nullable().optional(),
    photoId: id.nullable().optional(),
    links: z.array(linkInput).max(10).optional(),
  }),
);
export type UpdateAuthorInput = z.infer<typeof updateAuthorBody>;
