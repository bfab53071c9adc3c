import { z } from 'zod';
import { cadences, weekdays } from '../../db/schema.ts';
import { maxSlugLength } from '../../lib/slugify.ts';
import {
  bounded,
  httpUrl,
  id,
  maxUrlLength,
  nonEmptyPatch,
  slug,
  text,
  timestamp,
} from '../../schemas.ts';

const limits = { name: 120, description: 2000, policyVersion: 100 };

const cadence = z.enum(cadences).meta({ description: 'How often it is sent.' });
const sendDay = z
  .enum(weekdays)
  .meta({ description: 'The day it goes out, for weekly and fortnightly newsletters.' });
const policyVersion = text(limits.policyVersion).meta({
  description:
    'The privacy-policy version subscribers agree to now. `<page-slug>@<version>` (e.g. `privacy-policy@3`) ' +
    'points at that version of a page, which must then exist; any other label is stored as given.',
  example: 'privacy-policy@3',
});

export const publicNewsletterSchema = z
  .object({
    id,
    slug: bounded(maxSlugLength),
    name: bounded(limits.name),
    description: bounded(limits.description).nullable(),
    cadence,
    sendDay: sendDay.nullable(),
    previewUrl: bounded(maxUrlLength).nullable(),
    privacyPolicyVersion: bounded(limits.policyVersion),
    privacyPolicy: z
      .object({
        slug: bounded(maxSlugLength),
        version: z.number().int().min(1).max(999_999_999),
        url: bounded(maxUrlLength).meta({
          description: 'The exact text of that version: GET it for the link next to the form.',
        }),
      })
      .nullable()
      .meta({
        description:
          'When privacyPolicyVersion names a published page version (`<page-slug>@<version>`).',
      }),
  })
  .meta({ id: 'Newsletter' });
export type PublicNewsletter = z.infer<typeof publicNewsletterSchema>;

export const adminNewsletterSchema = publicNewsletterSchema
  .extend({ active: z.boolean(), createdAt: timestamp, updatedAt: timestamp })
  .meta({ id: 'AdminNewsletter' });
export type AdminNewsletter = z.infer<typeof adminNewsletterSchema>;

export const createNewsletterBody = z.strictObject({
  name: text(limits.name),
  slug: slug.optional().meta({ description: 'Generated from the name when absent.' }),
  description: text(limits.description).optional(),
  cadence,
  sendDay: sendDay.optional(),
  previewUrl: httpUrl.optional(),
  privacyPolicyVersion: policyVersion,
  active: z.boolean().optional().meta({ description: 'Defaults to true.' }),
});
export type CreateNewsletterInput = z.infer<typeof createNewsletterBody>;

export const updateNewsletterBody = nonEmptyPatch(
  z.strictObject({
    name: text(limits.name).optional(),
    slug: slug.optional(),
    description: text(limits.description).nullable().optional(),
    cadence: cadence.optional(),
    sendDay: sendDay.nullable().optional(),
    previewUrl: httpUrl.nullable().optional(),
    privacyPolicyVersion: policyVersion.optional(),
    active: z.boolean().optional(),
  }),
);
export type UpdateNewsletterInput = z.infer<typeof updateNewsletterBody>;
