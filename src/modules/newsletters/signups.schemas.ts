import { z } from 'zod';
import { signupStatuses } from '../../db/schema.ts';
import { maxSlugLength } from '../../lib/slugify.ts';
import {
  bounded,
  cursorQuery,
  emailAddress,
  id,
  limitQuery,
  maxEmailLength,
  text,
  timestamp,
  recordTimes,
} from '../../schemas.ts';

const limits = { policyVersion: 100, source: 200, newsletterName: 120 };

export const signupBody = z.strictObject({
  email: emailAddress,
  // An HTML checkbox posts the string "true" (give it value="true").
  consent: z.union([z.literal(true), z.literal('true')], {
    error: 'must be true: the reader has to agree to the privacy policy',
  }),
  privacyPolicyVersion: text(limits.policyVersion).meta({
    description: 'The version shown next to the form; must be the one in force.',
  }),
  source: text(limits.source)
    .optional()
    .meta({ description: 'Which form, e.g. `article-footer`.' }),
  website: z.string().max(2000).optional().meta({
    description:
      'Honeypot: leave empty (hide it from people). Filled in, the signup is silently dropped.',
  }),
});
export type SignupInput = z.infer<typeof signupBody>;

export const acceptedSchema = z
  .object({ data: z.object({ status: z.literal('accepted'), message: bounded(500) }) })
  .meta({ id: 'SignupAccepted', description: 'The same answer whatever the address’s state.' });

export const tokenBody = z.strictObject({ token: z.string().min(16).max(200) });

export const unsubscribeBody = z.union([
  tokenBody,
  // RFC 8058 one-click: the mail client posts this form body to the List-Unsubscribe URL.
  z.strictObject({ 'List-Unsubscribe': z.literal('One-Click') }),
]);
export const unsubscribeQuery = z.strictObject({
  token: z
    .string()
    .min(16)
    .max(200)
    .optional()
    .meta({ description: 'From the List-Unsubscribe link.' }),
});

export const confirmedSchema = z.object({
  data: z.object({
    status: z.literal('confirmed'),
    newsletter: z.object({ slug: bounded(maxSlugLength), name: bounded(limits.newsletterName) }),
  }),
});
export const unsubscribedSchema = z.object({
  data: z.object({ status: z.literal('unsubscribed') }),
});

export const signupStatusSchema = z.enum(signupStatuses);

export const adminSignupSchema = z
  .object({
    id,
    email: bounded(maxEmailLength).nullable().meta({ description: 'Null once erased.' }),
    status: signupStatusSchema,
    consent: z.object({
      policyVersion: bounded(limits.policyVersion),
      consentedAt: timestamp,
      source: bounded(limits.source).nullable(),
      ipHash: bounded(64).nullable().meta({ description: 'Salted SHA-256 of the client address.' }),
    }),
    confirmedAt: timestamp.nullable(),
    unsubscribedAt: timestamp.nullable(),
    ...recordTimes(),
  })
  .meta({ id: 'NewsletterSignup' });
export type AdminSignup = z.infer<typeof adminSignupSchema>;

export const signupListQuery = z.strictObject({
  status: signupStatusSchema.optional(),
  limit: limitQuery,
  cursor: cursorQuery,
});

export const signupMailStatsSchema = z
  .object({
    confirmationsSentLastHour: z.number().int().min(0),
    hourlyCap: z.number().int().min(1),
    capReached: z.boolean(),
    capLastReachedAt: timestamp.nullable().meta({
      description: 'When a signup last found the cap reached (since this process started).',
    }),
  })
  .meta({ id: 'SignupMailStats' });
