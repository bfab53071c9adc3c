import { z } from 'zod';
import { appealFrequencies } from '../../db/schema.ts';
import { maxSlugLength } from '../../lib/slugify.ts';
import { maxRenderedHtmlLength } from '../../lib/markdown.ts';
import {
  bounded,
  httpUrl,
  id,
  maxUrlLength,
  renderedHtml,
  slug,
  text,
  timestamp,
  recordTimes,
} from '../../schemas.ts';

// ISO 4217 codes as known to the runtime's ICU data.
const currencyCodes = new Set(Intl.supportedValuesOf('currency'));
const maxAmount = 100_000_000;

const amount = z.number().int().min(1).max(maxAmount);
const limits = {
  name: 120,
  heading: 200,
  body: 10_000,
  label: 60,
  paymentMethod: 40,
  paymentMethods: 12,
  suggestedAmounts: 6,
};

const remindAfterDays = z.number().int().min(1).max(365);
const priority = z.number().int().min(-1000).max(1000);

const frequencyInput = z
  .strictObject({
    frequency: z.enum(appealFrequencies),
    currency: z
      .string()
      .max(3)
      .regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 code')
      .refine((code) => currencyCodes.has(code), 'must be an ISO 4217 currency code'),
    suggestedAmounts: z
      .array(amount)
      .min(1)
      .max(limits.suggestedAmounts)
      .meta({ description: 'In minor units (cents), e.g. 500 = $5.' }),
    minimumAmount: amount.meta({ description: 'In minor units; "from just $2" is 200.' }),
  })
  .refine((option) => option.suggestedAmounts.every((value) => value >= option.minimumAmount), {
    message: 'must not be above any suggested amount',
    path: ['minimumAmount'],
  });

export const frequencySchema = z
  .object({
    frequency: z.enum(appealFrequencies),
    currency: bounded(3),
    suggestedAmounts: z.array(amount).max(limits.suggestedAmounts),
    minimumAmount: amount,
  })
  .meta({ id: 'AppealFrequency' });

const placement = slug.meta({
  description: 'Where the frontend shows it, e.g. article-footer or top-banner.',
});

const editableFields = {
  name: text(limits.name).meta({ description: 'For editors only.' }),
  placement,
  heading: text(limits.heading),
  body: z.string().max(limits.body).meta({ description: 'Markdown (CommonMark).' }),
  frequencies: z
    .array(frequencyInput)
    .min(1)
    .max(appealFrequencies.length)
    .refine(
      (options) => new Set(options.map((option) => option.frequency)).size === options.length,
      'must not repeat a frequency',
    ),
  ctaLabel: text(limits.label).meta({ example: 'Continue' }),
  ctaUrl: httpUrl.meta({ description: 'Where the call to action leads (the payment page).' }),
  dismissLabel: text(limits.label).meta({ example: 'Remind me later' }),
  remindAfterDays: remindAfterDays.meta({
    description: 'How long the frontend waits after "remind me later".',
  }),
  paymentMethods: z
    .array(text(limits.paymentMethod))
    .max(limits.paymentMethods)
    .meta({ description: 'Marks to show, e.g. visa, mastercard, paypal.' }),
  startsAt: timestamp,
  endsAt: timestamp.nullable().meta({ description: 'Open-ended when null.' }),
  priority: priority.meta({ description: 'Highest wins when several are active.' }),
  active: z.boolean(),
};

const endsAfterStart = (value: {
  startsAt?: string | undefined;
  endsAt?: string | null | undefined;
}) =>
  value.startsAt === undefined ||
  value.endsAt === undefined ||
  value.endsAt === null ||
  Date.parse(value.endsAt) > Date.parse(value.startsAt);

export const createAppealBody = z
  .strictObject({
    ...editableFields,
    paymentMethods: editableFields.paymentMethods.optional(),
    endsAt: editableFields.endsAt.optional(),
    priority: editableFields.priority.optional(),
    active: editableFields.active.optional(),
  })
  .refine(endsAfterStart, { message: 'must be after startsAt', path: ['endsAt'] });
export type CreateAppealInput = z.infer<typeof createAppealBody>;

export const updateAppealBody = z
  .strictObject(
    Object.fromEntries(
      Object.entries(editableFields).map(([key, schema]) => [key, schema.optional()]),
    ) as {
      [K in keyof typeof editableFields]: z.ZodOptional<(typeof editableFields)[K]>;
    },
  )
  .refine((body) => Object.keys(body).length > 0, {
    message: 'Send at least one field to change.',
    when: (payload) => payload.issues.length === 0,
  });
export type UpdateAppealInput = z.infer<typeof updateAppealBody>;

const publicFields = {
  id,
  placement: bounded(maxSlugLength),
  heading: bounded(limits.heading),
  bodyHtml: renderedHtml(maxRenderedHtmlLength),
  frequencies: z.array(frequencySchema).max(appealFrequencies.length),
  ctaLabel: bounded(limits.label),
  ctaUrl: bounded(maxUrlLength),
  dismissLabel: bounded(limits.label),
  remindAfterDays,
  paymentMethods: z.array(bounded(limits.paymentMethod)).max(limits.paymentMethods),
  startsAt: timestamp,
  endsAt: timestamp.nullable(),
};

export const publicAppealSchema = z.object(publicFields).meta({ id: 'Appeal' });
export type PublicAppeal = z.infer<typeof publicAppealSchema>;

export const adminAppealSchema = z
  .object({
    ...publicFields,
    name: bounded(limits.name),
    body: bounded(limits.body),
    priority,
    active: z.boolean(),
    ...recordTimes(),
  })
  .meta({ id: 'AdminAppeal' });
export type AdminAppeal = z.infer<typeof adminAppealSchema>;

export const activeAppealQuery = z.strictObject({ placement });
