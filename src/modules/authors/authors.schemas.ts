import { z } from 'zod';
import { maxSlugLength } from '../../lib/slugify.ts';
import {
  bounded,
  emailAddress,
  httpUrl,
  id,
  maxEmailLength,
  maxUrlLength,
  nonEmptyPatch,
  plainText,
  slug,
  text,
  recordTimes,
} from '../../schemas.ts';
import { photoSchema } from '../photos/photos.schemas.ts';

export const authorLimits = { name: 120, bio: 5000, linkLabel: 60, links: 10 };

const linkSchema = z
  .object({ label: bounded(authorLimits.linkLabel), url: bounded(maxUrlLength) })
  .meta({ id: 'AuthorLink' });
const linkInput = z.strictObject({ label: text(authorLimits.linkLabel), url: httpUrl });

/** What readers see. Never add private fields here: response schemas are the allow-list. */
export const publicAuthorSchema = z
  .object({
    id,
    slug: bounded(maxSlugLength),
    name: plainText(authorLimits.name),
    bio: plainText(authorLimits.bio).nullable(),
    photo: photoSchema.nullable(),
    links: z.array(linkSchema).max(authorLimits.links),
  })
  .meta({ id: 'Author' });
export type PublicAuthor = z.infer<typeof publicAuthorSchema>;

export const adminAuthorSchema = publicAuthorSchema
  .extend({
    email: bounded(maxEmailLength)
      .nullable()
      .meta({ description: 'Private: for the newsroom, never shown to readers.' }),
    ...recordTimes(),
  })
  .meta({ id: 'AdminAuthor' });
export type AdminAuthor = z.infer<typeof adminAuthorSchema>;

export const createAuthorBody = z.strictObject({
  name: text(authorLimits.name),
  slug: slug.optional().meta({ description: 'Generated from the name when absent.' }),
  bio: text(authorLimits.bio).optional(),
  email: emailAddress.optional(),
  photoId: id.optional(),
  links: z.array(linkInput).max(authorLimits.links).optional(),
});
export type CreateAuthorInput = z.infer<typeof createAuthorBody>;

export const updateAuthorBody = nonEmptyPatch(
  z.strictObject({
    name: text(authorLimits.name).optional(),
    slug: slug.optional(),
    bio: text(authorLimits.bio).nullable().optional(),
    email: emailAddress.nullable().optional(),
    photoId: id.nullable().optional(),
    links: z.array(linkInput).max(authorLimits.links).optional(),
  }),
);
export type UpdateAuthorInput = z.infer<typeof updateAuthorBody>;
