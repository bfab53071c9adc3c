import { and, eq, gt, inArray } from 'drizzle-orm';
import type { Db, Store } from '../../db/store.ts';
import { newId } from '../../lib/ids.ts';
import { iso } from '../../schemas.ts';
import type { ContentKey } from './content-keys.ts';
import { subscribes, type WebhookEventType } from '../webhooks/webhooks.events.ts';

// The webhook outbox: what a change announces is written in the change's own transaction, an
// event row and one delivery row per endpoint subscribed to it. A rolled-back write announces
// nothing; a committed one is sent by the relay (webhooks.relay.ts) however the process ends.

/** One event a change announces. */
export interface OutboxEvent {
  type: WebhookEventType;
  /** The record it is about (an article id): a scheduled send checks it again first. */
  subjectId: string | null;
  /** When it happened: for a scheduled publication, the publication time. */
  occurredAt: Date;
  data: Record<string, unknown>;
}

/** What one write announces: its events, and a scheduled announcement it withdraws first. */
export interface Announcement {
  events: readonly OutboxEvent[];
  withdraw?: { subjectId: string; type: WebhookEventType };
}

/**
 * What a write to an author, tag, photo or page announces: one event naming the record and the
 * content keys it made stale. The payload is thin on purpose (a receiver fetches what it needs),
 * and carries nothing the public API would not show.
 */
export function recordAnnouncement(
  type: WebhookEventType,
  record: { id: string; slug?: string; version?: number },
  at: Date,
  keys: readonly ContentKey[],
): Announcement {
  return {
    events: [
      {
        type,
        subjectId: record.id,
        occurredAt: at,
        data: {
          id: record.id,
          ...(record.slug === undefined ? {} : { slug: record.slug }),
          ...(record.version === undefined ? {} : { version: record.version }),
          occurredAt: iso(at),
          surrogateKeys: [...keys],
        },
      },
    ],
  };
}

/** Inside the write: withdraws, then writes the new events (see cancelScheduled, enqueueEvents). */
export async function announce(
  store: Store,
  tx: Db,
  announcement: Announcement,
  at: Date,
): Promise<void> {
  if (announcement.withdraw !== undefined)
    await cancelScheduled(
      store,
      tx,
      announcement.withdraw.subjectId,
      announcement.withdraw.type,
      at,
    );
  await enqueueEvents(store, tx, announcement.events, at);
}

/** The exact body every endpoint receives for an event (and that its signature covers). */
export const eventBody = (event: OutboxEvent): string =>
  JSON.stringify({ type: event.type, timestamp: event.occurredAt.toISOString(), data: event.data });

/**
 * Writes `events` inside `tx`: each to every enabled endpoint subscribed to it (or only to
 * `onlyEndpointId`, for a test), due at its `occurredAt` (a scheduled publication waits for its
 * time). Returns the deliveries written.
 */
export async function enqueueEvents(
  store: Store,
  tx: Db,
  events: readonly OutboxEvent[],
  at: Date,
  onlyEndpointId?: string,
): Promise<Array<{ id: string; eventId: string; endpointId: string }>> {
  if (events.length === 0) return [];
  const { webhookEndpoints, webhookEvents, webhookDeliveries } = store.tables;
  const endpoints = await tx
    .select({ id: webhookEndpoints.id, events: webhookEndpoints.events })
    .from(webhookEndpoints)
    .where(
      onlyEndpointId === undefined
        ? eq(webhookEndpoints.enabled, true)
        : eq(webhookEndpoints.id, onlyEndpointId),
    );
  if (endpoints.length === 0) return [];
  const written: Array<{ id: string; eventId: string; endpointId: string }> = [];
  for (const event of events) {
    const receivers =
      onlyEndpointId === undefined
        ? endpoints.filter((endpoint) => subscribes(endpoint.events, event.type))
        : endpoints;
    if (receivers.length === 0) continue;
    const eventId = newId('msg', at.getTime());
    await tx.insert(webhookEvents).values({
      id: eventId,
      type: event.type,
      subjectId: event.subjectId,
      payload: eventBody(event),
      occurredAt: event.occurredAt,
    });
    const due = event.occurredAt.getTime() > at.getTime() ? event.occurredAt : at;
    const deliveries = receivers.map((endpoint) => ({
      id: newId('dlv', at.getTime()),
      eventId,
      endpointId: endpoint.id,
      status: 'pending' as const,
      attempts: 0,
      nextAttemptAt: due,
      createdAt: at,
      updatedAt: at,
    }));
    await tx.insert(webhookDeliveries).values(deliveries);
    written.push(...deliveries);
  }
  return written;
}

/**
 * Withdraws the scheduled, never-attempted announcements of `type` about `subjectId` that are
 * due after `at` (a rescheduled or unpublished article's `article.published`). The write that
 * changes the schedule announces again what still stands.
 */
export async function cancelScheduled(
  store: Store,
  tx: Db,
  subjectId: string,
  type: WebhookEventType,
  at: Date,
): Promise<void> {
  const { webhookEvents, webhookDeliveries } = store.tables;
  await tx
    .update(webhookDeliveries)
    .set({
      status: 'cancelled',
      nextAttemptAt: null,
      lastError: 'Withdrawn before it was due: the schedule changed.',
      updatedAt: at,
    })
    .where(
      and(
        eq(webhookDeliveries.status, 'pending'),
        eq(webhookDeliveries.attempts, 0),
        gt(webhookDeliveries.nextAttemptAt, at),
        inArray(
          webhookDeliveries.eventId,
          tx
            .select({ id: webhookEvents.id })
            .from(webhookEvents)
            .where(and(eq(webhookEvents.subjectId, subjectId), eq(webhookEvents.type, type))),
        ),
      ),
    );
}
