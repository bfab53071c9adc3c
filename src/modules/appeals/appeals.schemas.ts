import { z } from 'zod';
import { appealFrequencies } from '../../db/schema.ts';
import { httpUrl, id, slug, text, timestamp } from '../../schemas.ts';

// ISO 4217 codes as known to the runtime's ICU data.
const currencyCodes = new Set(Intl.supportedValuesOf('currency'));
const maxAmount = 100_000_000;

const amount = z.number().int().min(1).max(maxAmount);

const frequencyInput = z
  .strictObject({
    frequency: z.enum(appealFrequencies),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 code')
      .refine((code) => currencyCodes.has(code), 'must be an ISO 4217 currency code'),
    suggestedAmounts: z
      .array(amount)
      .min(1)
      .max(6)
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
    currency: z.string(),
    suggestedAmounts: z.array(z.number().int()),
    minimumAmount: z.number().int(),
  })
  .meta({ id: 'AppealFrequency' });

const placement = slug.meta({
  description: 'Where the frontend shows it, e.g. article-footer or top-banner.',
});

const editableFields = {
  name: text(120).meta({ description: 'For editors only.' }),
  placement,
  heading: text(200),
  body: z.string().max(10_000).meta({ description: 'Markdown (CommonMark).' }),
  frequencies: z
    .array(frequencyInput)
    .min(1)
    .max(appealFrequencies.length)
    .refine(
      (options) => new Set(options.map((option) => option.frequency)).size === options.length,
      'must not repeat a frequency',
    ),
  ctaLabel: text(60).meta({ example: 'Continue' }),
  ctaUrl: httpUrl.meta({ description: 'Where the call to action leads (the payment page).' }),
  dismissLabel: text(60).meta({ example: 'Remind me later' }),
  remindAfterDays: z
    .number()
    .int()
    .min(1)
    .max(365)
    .meta({ description: 'How long the frontend waits after "remind me later".' }),
  paymentMethods: z
    .array(text(40))
    .max(12)
    .meta({ description: 'Marks to show, e.g. visa, mastercard, paypal.' }),
  startsAt: timestamp,
  endsAt: timestamp.nullable().meta({ description: 'Open-ended when null.' }),
  priority: z
    .number()
    .int()
    .min(-1000)
    .max(1000)
    .meta({ description: 'Highest wins when several are active.' }),
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
  placement: z.string(),
  heading: z.string(),
  bodyHtml: z.string(),
  frequencies: z.array(frequencySchema),
  ctaLabel: z.string(),
  ctaUrl: z.string(),
  dismissLabel: z.string(),
  remindAfterDays: z.number().int(),
  paymentMethods: z.array(z.string()),
  startsAt: timestamp,
  endsAt: timestamp.nullable(),
};

export const publicAppealSchema = z.object(publicFields).meta({ id: 'Appeal' });
export type PublicAppeal = z.infer<typeof publicAppealSchema>;

export const adminAppealSchema = z
  .object({
    ...publicFields,
    name: z.string(),
    body: z.string(),
    priority: z.number().int(),
    active: z.boolean(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'AdminAppeal' });
export type AdminAppeal = z.infer<typeof adminAppealSchema>;

export const activeAppealQuery = z.strictObject({ placement });
