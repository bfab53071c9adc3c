import { correctionKinds } from '../../db/schema/corrections.ts';
import { z } from 'zod';
import {
  bounded,
  id,
  maxUrlLength,
  nonEmptyPatch,
  recordTimes,
  text,
  timestamp,
} from '../../schemas.ts';
import { webhookDeliveryStatuses, webhookEndpointKinds } from '../../db/schema/webhooks.ts';
import { subscriptionPatterns, webhookEventTypes } from './webhooks.events.ts';

export const webhookLimits = { description: 500, events: 50, error: 500, secret: 100 };

const events = z
  .array(z.enum(subscriptionPatterns))
  .min(1)
  .max(webhookLimits.events)
  .meta({ description: 'Event names, or a group such as `article.*`.' });

const endpointUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .max(maxUrlLength)
  .meta({
    format: 'uri',
    description:
      'https, resolving to public addresses only (checked again at every send). http and private or loopback targets only when the server sets WEBHOOKS_ALLOW_PRIVATE_TARGETS=true.',
  });

export const webhookEndpointSchema = z
  .object({
    id,
    kind: z.enum(webhookEndpointKinds).meta({
      description:
        '`webhook`: signed Standard Webhooks POSTs. `fastly`, `cloudflare`: a purge of the event’s surrogate keys by the CDN’s API, set up by the environment (FASTLY_*, CLOUDFLARE_*) and read-only here.',
    }),
    url: bounded(maxUrlLength),
    description: bounded(webhookLimits.description).nullable(),
    events: z.array(bounded(64)).max(webhookLimits.events),
    enabled: z.boolean(),
    disabledReason: z.enum(['gone', 'unconfigured']).nullable().meta({
      description:
        '`gone`: the receiver answered 410 and the server disabled it. `unconfigured`: a CDN purge whose settings were removed from the environment.',
    }),
    previousSecretExpiresAt: timestamp
      .nullable()
      .meta({ description: 'Until then the secret before the last rotation signs too.' }),
    ...recordTimes(),
  })
  .meta({ id: 'WebhookEndpoint' });
export type WebhookEndpoint = z.infer<typeof webhookEndpointSchema>;

export const webhookEndpointWithSecretSchema = webhookEndpointSchema
  .extend({
    secret: bounded(webhookLimits.secret).meta({
      description: 'Shown once, here: the `whsec_…` key that signs every attempt.',
    }),
  })
  .meta({ id: 'WebhookEndpointWithSecret' });

export const createWebhookBody = z.strictObject({
  url: endpointUrl,
  events,
  enabled: z.boolean().optional(),
  description: text(webhookLimits.description).optional(),
});
export type CreateWebhookInput = z.infer<typeof createWebhookBody>;

export const updateWebhookBody = nonEmptyPatch(
  z.strictObject({
    url: endpointUrl.optional(),
    events: events.optional(),
    enabled: z.boolean().optional(),
    description: text(webhookLimits.description).nullable().optional(),
  }),
);
export type UpdateWebhookInput = z.infer<typeof updateWebhookBody>;

export const webhookAttemptSchema = z
  .object({
    attempt: z.number().int().min(1),
    at: timestamp,
    responseStatus: z.number().int().nullable(),
    durationMs: z.number().int().min(0),
    error: bounded(webhookLimits.error).nullable(),
    nextAttemptAt: timestamp.nullable(),
  })
  .meta({ id: 'WebhookAttempt' });

export const webhookDeliverySchema = z
  .object({
    id,
    eventId: id.meta({ description: 'The `webhook-id` header of every attempt.' }),
    eventType: bounded(64),
    status: z.enum(webhookDeliveryStatuses),
    attempts: z.number().int().min(0),
    nextAttemptAt: timestamp.nullable(),
    lastResponseStatus: z.number().int().nullable(),
    lastError: bounded(webhookLimits.error).nullable(),
    attemptLog: z.array(webhookAttemptSchema).max(20),
    ...recordTimes(),
  })
  .meta({ id: 'WebhookDelivery' });
export type WebhookDelivery = z.infer<typeof webhookDeliverySchema>;

export const rotatedSecretSchema = z
  .object({
    secret: bounded(webhookLimits.secret),
    previousSecretExpiresAt: timestamp,
  })
  .meta({ id: 'RotatedWebhookSecret' });

export const deliveryParams = z.strictObject({ id, deliveryId: id });

/** The body of every event (the OpenAPI document's `webhooks`). */
export const webhookPayloadSchema = z
  .object({
    type: z.enum([...webhookEventTypes, 'webhook.test']),
    timestamp,
    data: z.object({
      id: bounded(64),
      slug: bounded(200).optional(),
      language: bounded(16).optional(),
      url: bounded(maxUrlLength).optional(),
      version: z.number().int().optional(),
      publishedAt: timestamp.nullable().optional(),
      correction: z
        .object({ id: bounded(64), kind: z.enum(correctionKinds) })
        .optional()
        .meta({ description: '`article.corrected`: which correction, and its kind.' }),
      occurredAt: timestamp,
      surrogateKeys: z.array(bounded(300)).max(200),
    }),
  })
  .meta({ id: 'WebhookPayload' });
