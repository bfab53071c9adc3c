import { z } from 'zod';
import { cadences, weekdays } from '../../db/schema.ts';
import { httpUrl, id, nonEmptyPatch, slug, text, timestamp } from '../../schemas.ts';

const cadence = z.enum(cadences).meta({ description: 'How often it is sent.' });
const sendDay = z
  .enum(weekdays)
  .meta({ description: 'The day it goes out, for weekly and fortnightly newsletters.' });
const policyVersion = text(100).meta({
  description:
    'The privacy-policy version subscribers agree to now. `<page-slug>@<version>` (e.g. `privacy-policy@3`) ' +
    'points at that version of a page, which must then exist; any other label is stored as given.',
  example: 'privacy-policy@3',
});

export const publicNewsletterSchema = z
  .object({
    id,
    slug: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    cadence,
    sendDay: sendDay.nullable(),
    previewUrl: z.string().nullable(),
    privacyPolicyVersion: z.string(),
    privacyPolicy: z
      .object({
        slug: z.string(),
        version: z.number().int(),
        url: z.string().meta({
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
  name: text(120),
  slug: slug.optional().meta({ description: 'Generated from the name when absent.' }),
  description: text(2000).optional(),
  cadence,
  sendDay: sendDay.optional(),
  previewUrl: httpUrl.optional(),
  privacyPolicyVersion: policyVersion,
  active: z.boolean().optional().meta({ description: 'Defaults to true.' }),
});
export type CreateNewsletterInput = z.infer<typeof createNewsletterBody>;

export const updateNewsletterBody = nonEmptyPatch(
  z.strictObject({
    name: text(120).optional(),
    slug: slug.optional(),
    description: text(2000).nullable().optional(),
    cadence: cadence.optional(),
    sendDay: sendDay.nullable().optional(),
    previewUrl: httpUrl.nullable().optional(),
    privacyPolicyVersion: policyVersion.optional(),
    active: z.boolean().optional(),
  }),
);
export type UpdateNewsletterInput = z.infer<typeof updateNewsletterBody>;
