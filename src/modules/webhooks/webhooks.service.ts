import { conflict, invalidFields, notFound } from '../../errors.ts';
import { newWebhookSecret } from '../../lib/standard-webhooks.ts';
import type { PageRequest } from '../../pagination.ts';
import { iso, isoOrNull } from '../../schemas.ts';
import type { Clock } from '../shared/clock.ts';
import type { Relay } from './webhooks.relay.ts';
import type {
  WebhookAttemptRecord,
  WebhookDeliveryRecord,
  WebhookEndpointRecord,
  WebhooksRepository,
} from './webhooks.repository.ts';
import type {
  CreateWebhookInput,
  UpdateWebhookInput,
  WebhookDelivery,
  WebhookEndpoint,
} from './webhooks.schemas.ts';

// The rules of the webhooks API: which targets are allowed, secrets shown once and rotated with
// an overlap, and the responses editors see (never a secret after creation).

export interface WebhooksServiceDeps {
  repository: WebhooksRepository;
  relay: Relay;
  clock: Clock;
  allowPrivateTargets: boolean;
}

/** How long the secret before a rotation keeps signing, so receivers can switch without a gap. */
export const secretOverlapMs = 24 * 3_600_000;

const noSuchEndpoint = 'No webhook endpoint with that id.';

export function toWebhookEndpoint(record: WebhookEndpointRecord): WebhookEndpoint {
  return {
    id: record.id,
    kind: record.kind,
    url: record.url,
    description: record.description,
    events: record.events,
    enabled: record.enabled,
    disabledReason:
      record.disabledReason === 'gone' || record.disabledReason === 'unconfigured'
        ? record.disabledReason
        : null,
    previousSecretExpiresAt: isoOrNull(record.previousSecretExpiresAt),
    createdAt: iso(record.createdAt),
    updatedAt: iso(record.updatedAt),
  };
}

function toDelivery(
  delivery: WebhookDeliveryRecord,
  type: string,
  attempts: WebhookAttemptRecord[],
): WebhookDelivery {
  return {
    id: delivery.id,
    eventId: delivery.eventId,
    eventType: type,
    status: delivery.status,
    attempts: delivery.attempts,
    nextAttemptAt: isoOrNull(delivery.nextAttemptAt),
    lastResponseStatus: delivery.lastResponseStatus,
    lastError: delivery.lastError,
    attemptLog: attempts.map((attempt) => ({
      attempt: attempt.attempt,
      at: iso(attempt.at),
      responseStatus: attempt.responseStatus,
      durationMs: attempt.durationMs,
      error: attempt.error,
      nextAttemptAt: isoOrNull(attempt.nextAttemptAt),
    })),
    createdAt: iso(delivery.createdAt),
    updatedAt: iso(delivery.updatedAt),
  };
}

export function createWebhooksService({
  repository,
  relay,
  clock,
  allowPrivateTargets,
}: WebhooksServiceDeps) {
  /** https only, no credentials in the URL; plain http only where private targets are allowed. */
  function checkUrl(url: string | undefined): void {
    if (url === undefined) return;
    const parsed = new URL(url);
    if (parsed.username !== '' || parsed.password !== '')
      throw invalidFields([
        { path: 'body.url', message: 'Must not carry a user name or password.' },
      ]);
    if (parsed.protocol !== 'https:' && !allowPrivateTargets)
      throw invalidFields([{ path: 'body.url', message: 'Must be an https URL.' }]);
  }

  async function endpoint(id: string): Promise<WebhookEndpointRecord> {
    const found = await repository.findById(id);
    if (found === undefined) throw notFound(noSuchEndpoint);
    return found;
  }

  /** An editor's own endpoint: a CDN purge follows the environment, not the API. */
  async function editable(id: string): Promise<void> {
    const found = await endpoint(id);
    if (found.kind !== 'webhook')
      throw conflict(
        `This endpoint is the ${found.kind} purge set up by the server's environment; change or remove it there.`,
      );
  }

  return {
    async list(page: PageRequest<'createdAt'>) {
      const [records, total] = await Promise.all([repository.list(page), repository.count()]);
      return { items: records.map(toWebhookEndpoint), total };
    },

    findById: async (id: string) => {
      const found = await repository.findById(id);
      return found === undefined ? undefined : toWebhookEndpoint(found);
    },

    /** The new endpoint with its secret: the only time the secret is shown. */
    async create(input: CreateWebhookInput) {
      checkUrl(input.url);
      const secret = newWebhookSecret();
      const record = await repository.create(
        {
          url: input.url,
          events: [...new Set(input.events)],
          enabled: input.enabled ?? true,
          description: input.description ?? null,
          secret,
        },
        clock.now(),
      );
      return { ...toWebhookEndpoint(record), secret };
    },

    async update(id: string, input: UpdateWebhookInput): Promise<WebhookEndpoint> {
      checkUrl(input.url);
      await editable(id);
      const changed = await repository.update(
        id,
        {
          ...(input.url === undefined ? {} : { url: input.url }),
          ...(input.events === undefined ? {} : { events: [...new Set(input.events)] }),
          ...(input.enabled === undefined ? {} : { enabled: input.enabled }),
          ...(input.description === undefined ? {} : { description: input.description }),
        },
        clock.now(),
      );
      if (changed === undefined) throw notFound(noSuchEndpoint);
      return toWebhookEndpoint(changed);
    },

    async delete(id: string): Promise<void> {
      await editable(id);
      if (!(await repository.delete(id, clock.now()))) throw notFound(noSuchEndpoint);
    },

    /** A new secret, shown once; the old one signs too for 24 hours. */
    async rotateSecret(id: string) {
      await editable(id);
      const at = clock.now();
      const secret = newWebhookSecret();
      const expires = new Date(at.getTime() + secretOverlapMs);
      const rotated = await repository.rotateSecret(id, secret, expires, at);
      if (rotated === undefined) throw notFound(noSuchEndpoint);
      return { secret, previousSecretExpiresAt: iso(expires) };
    },

    async deliveries(id: string, page: PageRequest<'createdAt'>) {
      await endpoint(id);
      const rows = await repository.deliveries(id, page);
      return rows.map((row) => toDelivery(row.delivery, row.type, row.attempts));
    },

    async redeliver(id: string, deliveryId: string): Promise<WebhookDelivery> {
      const copy = await repository.redeliver(id, deliveryId, clock.now());
      if (copy === undefined) throw notFound('No delivery with that id for this endpoint.');
      relay.wake();
      return toDelivery(copy.delivery, copy.type, []);
    },

    /** A `webhook.test` event to this endpoint alone, sent at once. */
    async sendTest(id: string): Promise<WebhookDelivery> {
      await editable(id);
      const at = clock.now();
      const delivery = await repository.sendTest(
        id,
        {
          type: 'webhook.test',
          subjectId: null,
          occurredAt: at,
          data: { id, occurredAt: iso(at), surrogateKeys: [] },
        },
        at,
      );
      if (delivery === undefined) throw notFound(noSuchEndpoint);
      relay.wake();
      return toDelivery(delivery, 'webhook.test', []);
    },
  };
}

export type WebhooksService = ReturnType<typeof createWebhooksService>;
