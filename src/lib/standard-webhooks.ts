import { createHmac, randomBytes } from 'node:crypto';

// Standard Webhooks 1.0 (https://www.standardwebhooks.com): a secret is `whsec_` and base64 of
// random bytes; an attempt carries `webhook-id`, `webhook-timestamp` (seconds) and
// `webhook-signature`, a space-separated list of `v1,<base64 HMAC-SHA256 of id.timestamp.body>`,
// one per secret in use (two while a rotated-out secret still signs).

const prefix = 'whsec_';

/** A new secret: 32 random bytes, as the spec's `whsec_` form. */
export const newWebhookSecret = (): string => `${prefix}${randomBytes(32).toString('base64')}`;

function keyOf(secret: string): Buffer {
  return Buffer.from(secret.startsWith(prefix) ? secret.slice(prefix.length) : secret, 'base64');
}

/** `v1,<signature>` of one message under one secret. */
export function signWebhook(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string,
): string {
  const mac = createHmac('sha256', keyOf(secret))
    .update(`${id}.${timestampSeconds}.${body}`)
    .digest('base64');
  return `v1,${mac}`;
}

/** The three headers of one attempt, signed with every secret given. */
export function webhookHeaders(
  secrets: readonly string[],
  id: string,
  timestampSeconds: number,
  body: string,
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': secrets
      .map((secret) => signWebhook(secret, id, timestampSeconds, body))
      .join(' '),
  };
}
