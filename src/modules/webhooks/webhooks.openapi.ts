import { z } from 'zod';
import { webhookEventTypes } from './webhooks.events.ts';
import { webhookPayloadSchema } from './webhooks.schemas.ts';

// The OpenAPI 3.1 `webhooks` of the document: one entry per event, each the POST a receiver
// gets (its Standard Webhooks headers and the event's body), so client generators can type a
// receiver as they type a client.

const payloadRef = '#/components/schemas/WebhookPayload';

const signatureHeaders = [
  {
    name: 'webhook-id',
    description: 'The event’s id: the same on every retry and redelivery. Deduplicate on it.',
  },
  {
    name: 'webhook-timestamp',
    description: 'When this attempt was signed, in Unix seconds. Refuse one far from your clock.',
  },
  {
    name: 'webhook-signature',
    description:
      'Space-separated `v1,<base64 HMAC-SHA256 of id.timestamp.body>` under each secret in use (two for 24 h after a rotation).',
  },
].map((header) => ({
  ...header,
  in: 'header',
  required: true,
  schema: { type: 'string', maxLength: 1000 },
}));

const described: Record<string, string> = {
  'article.published':
    'An article became public: at publication, or at its scheduled time (not when it was scheduled).',
  'article.updated': 'A published article changed.',
  'article.unpublished': 'A published article was withdrawn (archived or back to draft).',
  'article.deleted': 'A published article was deleted.',
  'article.corrected':
    'A correction, clarification, update or retraction was added to a public article, or edited (`data.correction`).',
  'collection.updated':
    'A front or section changed: its pinned slots, their overrides, its backfill rule, its name or slug. What it resolves to changes with its articles too; those announce themselves.',
  'newsletter.signup_confirmed':
    'A reader confirmed a newsletter signup. The event carries no personal data.',
  'webhook.test': 'Sent to one endpoint when an editor tests it.',
};

const pascal = (type: string) =>
  type
    .split(/[._]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');

/** Adds `webhooks` and the payload's schema to a generated OpenAPI document. */
export function withWebhooks<T>(document: T): T {
  const doc = document as {
    components?: { schemas?: Record<string, unknown> };
    webhooks?: Record<string, unknown>;
  };
  const generated = z.toJSONSchema(webhookPayloadSchema, { io: 'output' }) as {
    $defs?: Record<string, Record<string, unknown>>;
  };
  // The schema's id puts it under $defs, referred to from the top: the component is the entry.
  const payload = generated.$defs?.WebhookPayload ?? {};
  delete payload.id;
  doc.components = {
    ...doc.components,
    schemas: { ...doc.components?.schemas, WebhookPayload: payload },
  };
  doc.webhooks = Object.fromEntries(
    [...webhookEventTypes, 'webhook.test'].map((type) => [
      type,
      {
        post: {
          operationId: `on${pascal(type)}`,
          summary: `The \`${type}\` event`,
          description: `${described[type] ?? `A \`${type.split('.')[0] ?? type}\` changed.`} Answer any 2xx within 15 s; anything else is retried (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h, with jitter), 429 and 503 after their Retry-After, and 410 disables the endpoint.`,
          tags: ['Webhooks'],
          security: [],
          parameters: signatureHeaders,
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  allOf: [{ $ref: payloadRef }],
                  properties: { type: { const: type } },
                },
              },
            },
          },
          responses: {
            '200': { description: 'Received. Any 2xx counts.' },
            '410': { description: 'Gone: the endpoint is disabled until an editor enables it.' },
          },
        },
      },
    ]),
  );
  return document;
}
