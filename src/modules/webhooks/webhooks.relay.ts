import { webhookHeaders } from '../../lib/standard-webhooks.ts';
import { maxAttempts, nextAttemptAt } from './webhooks.events.ts';
import type { AttemptOutcome, DueDelivery, WebhooksRepository } from './webhooks.repository.ts';
import { payloadKeys, type Purger, purge } from './webhooks.purgers.ts';
import type { SendResult, WebhookSender } from './webhooks.sender.ts';

// Each instance runs a relay: it claims due deliveries (a lease, so two instances never send one
// at the same time, and a crashed instance's claims come free again), checks a scheduled
// announcement still stands, signs each attempt afresh and records what came of it. After a
// kill -9 between the POST and the record, the delivery is sent again when its lease runs out,
// with the same webhook-id: receivers deduplicate on it.

export interface RelayOptions {
  repository: WebhooksRepository;
  sender: WebhookSender;
  /** The CDN purgers the environment configures, for endpoints of their kind. */
  purgers: readonly Purger[];
  timeoutMs: number;
  now: () => Date;
  /** How often to look for due deliveries when nothing wakes the relay. */
  pollMs: number;
  /** How long a claim holds: longer than an attempt can take. */
  leaseMs: number;
  /** How long finished deliveries stay in the log. */
  retentionMs: number;
  onError: (error: unknown) => void;
}

const claimBatch = 20;
const pruneEveryMs = 3_600_000;

export function createRelay(options: RelayOptions) {
  const { repository, sender, now } = options;
  let running: Promise<number> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let pruneTimer: NodeJS.Timeout | undefined;
  // Until started (WEBHOOK_RELAY=false never starts it) wake-ups do nothing: deliverDue still
  // sends when called.
  let started = false;

  /** Whether a claimed delivery should still go out; a reason when it should not. */
  async function withdrawn({ delivery, event, endpoint }: DueDelivery): Promise<string | null> {
    if (!endpoint.enabled) return 'The endpoint is disabled.';
    // Scheduled at the write (due later than it was written): the schedule may have moved since.
    const scheduled = event.occurredAt.getTime() > delivery.createdAt.getTime();
    if (
      scheduled &&
      event.type === 'article.published' &&
      event.subjectId !== null &&
      delivery.attempts === 0
    ) {
      const article = await repository.articleState(event.subjectId);
      const scheduledFor = event.occurredAt.getTime();
      if (
        article === undefined ||
        article.status !== 'published' ||
        article.publishedAt === null ||
        article.publishedAt.getTime() !== scheduledFor ||
        scheduledFor > now().getTime()
      )
        return 'The article is no longer published at that time.';
    }
    return null;
  }

  /** A Standard Webhooks POST, signed for this attempt (by both secrets during an overlap). */
  async function signedPost({ event, endpoint }: DueDelivery): Promise<SendResult> {
    const at = now();
    const secrets =
      endpoint.previousSecret !== null &&
      endpoint.previousSecretExpiresAt !== null &&
      endpoint.previousSecretExpiresAt.getTime() > at.getTime()
        ? [endpoint.secret, endpoint.previousSecret]
        : [endpoint.secret];
    const headers = webhookHeaders(
      secrets,
      event.id,
      Math.floor(at.getTime() / 1000),
      event.payload,
    );
    return sender.send(endpoint.url, headers, event.payload, () => now().getTime());
  }

  async function attempt(due: DueDelivery): Promise<void> {
    const reason = await withdrawn(due);
    if (reason !== null) {
      await repository.cancel(due.delivery.id, reason, now());
      return;
    }
    const { delivery, event, endpoint } = due;
    let result: SendResult;
    if (endpoint.kind === 'webhook') result = await signedPost(due);
    else {
      const purger = options.purgers.find((candidate) => candidate.kind === endpoint.kind);
      if (purger === undefined) {
        await repository.cancel(delivery.id, 'The CDN purge is no longer configured.', now());
        return;
      }
      result = await purge(purger, payloadKeys(event.payload), options.timeoutMs, () =>
        now().getTime(),
      );
    }
    const finishedAt = now();
    const attempts = delivery.attempts + 1;
    const succeeded =
      result.error === null &&
      result.status !== null &&
      result.status >= 200 &&
      result.status < 300;
    const gone = result.status === 410;
    const next =
      succeeded || gone || attempts >= maxAttempts
        ? null
        : nextAttemptAt(finishedAt, attempts, result.retryAfterMs);
    const outcome: AttemptOutcome = {
      at: finishedAt,
      responseStatus: result.status,
      durationMs: result.durationMs,
      error: gone ? 'The receiver answered 410 Gone: the endpoint is disabled.' : result.error,
      status: succeeded ? 'succeeded' : next === null ? 'failed' : 'pending',
      nextAttemptAt: next,
      disableEndpoint: gone,
    };
    await repository.recordAttempt(delivery, outcome);
  }

  /** Sends everything due now; resolves with how many deliveries it handled. */
  async function deliverDue(): Promise<number> {
    let handled = 0;
    for (;;) {
      const claimed = await repository.claimDue(now(), options.leaseMs, claimBatch);
      if (claimed.length === 0) return handled;
      // One endpoint's deliveries in order, different endpoints side by side.
      const byEndpoint = new Map<string, DueDelivery[]>();
      for (const due of claimed)
        byEndpoint.set(due.endpoint.id, [...(byEndpoint.get(due.endpoint.id) ?? []), due]);
      await Promise.all(
        Array.from(byEndpoint, async ([, list]) => {
          for (const due of list) {
            try {
              await attempt(due);
            } catch (error) {
              // The lease runs out and another pass tries again.
              options.onError(error);
            }
          }
        }),
      );
      handled += claimed.length;
      if (claimed.length < claimBatch) return handled;
    }
  }

  /** One pass at a time; a wake-up during a pass asks for one more. */
  function wake(): void {
    if (!started) return;
    if (running !== undefined) {
      again = true;
      return;
    }
    running = deliverDue()
      .catch((error: unknown) => {
        options.onError(error);
        return 0;
      })
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          wake();
        }
      });
  }

  async function prune(): Promise<void> {
    const before = new Date(now().getTime() - options.retentionMs);
    while ((await repository.prune(before, 500)) === 500) {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  return {
    deliverDue,
    wake,
    prune,
    start(): void {
      started = true;
      timer = setInterval(wake, options.pollMs);
      timer.unref();
      pruneTimer = setInterval(() => void prune().catch(options.onError), pruneEveryMs);
      pruneTimer.unref();
      wake();
    },
    async stop(): Promise<void> {
      started = false;
      if (timer !== undefined) clearInterval(timer);
      if (pruneTimer !== undefined) clearInterval(pruneTimer);
      await running;
      await sender.close();
    },
  };
}

export type Relay = ReturnType<typeof createRelay>;
