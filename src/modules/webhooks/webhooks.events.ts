// The events Broadsheet announces, and which an endpoint's subscription takes. A subscription
// names events exactly or by group (`article.*`); `webhook.test` goes only to the endpoint an
// editor tests.

export const webhookEventTypes = [
  'article.published',
  'article.updated',
  'article.unpublished',
  'article.deleted',
  'article.corrected',
  'author.created',
  'author.updated',
  'author.deleted',
  'tag.created',
  'tag.updated',
  'tag.deleted',
  'photo.updated',
  'photo.deleted',
  'page.published',
  'page.updated',
  'page.unpublished',
  'collection.created',
  'collection.updated',
  'collection.deleted',
  'newsletter.signup_confirmed',
] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number] | 'webhook.test';

const groups = [...new Set(webhookEventTypes.map((type) => type.split('.')[0] ?? type))];

/** What an endpoint may subscribe to: an event, or every event of a group. */
export const subscriptionPatterns = [
  ...webhookEventTypes,
  ...groups.map((group) => `${group}.*`),
] as [string, ...string[]];

/** Whether a subscription takes events of `type`. */
export function subscribes(patterns: readonly string[], type: string): boolean {
  return patterns.some(
    (pattern) =>
      pattern === type || (pattern.endsWith('.*') && type.startsWith(pattern.slice(0, -1))),
  );
}

/** The retry schedule of Standard Webhooks: the wait before each attempt after the first. */
export const retryScheduleMs = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  14 * 3_600_000,
  20 * 3_600_000,
  24 * 3_600_000,
] as const;

/** Attempts in all: the first and one per step of the schedule. */
export const maxAttempts = retryScheduleMs.length + 1;

/**
 * When to try again after `attempts` failed ones, or null when they are used up. Each wait is
 * stretched by up to 10% at random, so endpoints that failed together are not retried together;
 * a receiver's Retry-After (429, 503) replaces the step when it asks for longer.
 */
export function nextAttemptAt(
  at: Date,
  attempts: number,
  retryAfterMs: number | null,
  random: () => number = Math.random,
): Date | null {
  const step = retryScheduleMs[attempts - 1];
  if (step === undefined) return null;
  const jittered = Math.round(step * (1 + random() * 0.1));
  return new Date(at.getTime() + Math.max(jittered, retryAfterMs ?? 0));
}
