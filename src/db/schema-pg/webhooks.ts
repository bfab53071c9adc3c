import { boolean, index, integer, json, pgTable, text } from 'drizzle-orm/pg-core';
import { webhookDeliveryStatuses, webhookEndpointKinds } from '../schema/webhooks.ts';
import { recordTimes, timestamp } from './columns.ts';

// Webhooks as a transactional outbox: an event and one delivery per subscribed endpoint are
// written in the same transaction as the change they announce, and each instance's relay
// (modules/webhooks/webhooks.relay.ts) sends them after commit. The same tables as
// schema/webhooks.ts, for PostgreSQL.

/** Where events are sent. The secrets sign every attempt (Standard Webhooks, `whsec_…`). */
export const webhookEndpoints = pgTable('webhook_endpoints', {
  id: text('id').primaryKey(),
  /** `webhook`: an editor's endpoint. A CDN's purge API (configured by environment) otherwise. */
  kind: text('kind', { enum: webhookEndpointKinds }).notNull().default('webhook'),
  url: text('url').notNull(),
  description: text('description'),
  /** Exact event names or a group (`article.*`). */
  events: json('events').$type<string[]>().notNull(),
  enabled: boolean('enabled').notNull(),
  /** Why the server disabled it (the receiver answered 410 Gone); null while enabled. */
  disabledReason: text('disabled_reason'),
  secret: text('secret').notNull(),
  /** The secret before the last rotation: it signs too, until it expires. */
  previousSecret: text('previous_secret'),
  previousSecretExpiresAt: timestamp('previous_secret_expires_at'),
  ...recordTimes(),
});

/** One event, as every endpoint receives it: `payload` is the exact body that is signed. */
export const webhookEvents = pgTable(
  'webhook_events',
  {
    /** The `webhook-id` header: the same on every attempt and redelivery. */
    id: text('id').primaryKey(),
    type: text('type').notNull(),
    /** The record the event is about (an article id), re-checked before a scheduled send. */
    subjectId: text('subject_id'),
    payload: text('payload').notNull(),
    occurredAt: timestamp('occurred_at').notNull(),
  },
  (table) => [
    index('webhook_events_occurred_idx').on(table.occurredAt),
    index('webhook_events_subject_idx').on(table.subjectId, table.type),
  ],
);

/** One event to one endpoint: its state, when it is next tried, and who holds it now. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: text('id').primaryKey(),
    eventId: text('event_id')
      .notNull()
      .references(() => webhookEvents.id, { onDelete: 'cascade' }),
    endpointId: text('endpoint_id')
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    status: text('status', { enum: webhookDeliveryStatuses }).notNull(),
    /** Attempts made so far. */
    attempts: integer('attempts').notNull(),
    /** When it is due (a scheduled article's publication time, or the next retry); null once final. */
    nextAttemptAt: timestamp('next_attempt_at'),
    /** An instance sending it holds it until then; after a crash another takes it over. */
    leaseUntil: timestamp('lease_until'),
    lastResponseStatus: integer('last_response_status'),
    lastError: text('last_error'),
    ...recordTimes(),
  },
  (table) => [
    index('webhook_deliveries_due_idx').on(table.status, table.nextAttemptAt),
    index('webhook_deliveries_endpoint_idx').on(table.endpointId, table.createdAt, table.id),
    index('webhook_deliveries_event_idx').on(table.eventId),
  ],
);

/** The attempt log: each try of a delivery, as an editor sees it. */
export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    id: text('id').primaryKey(),
    deliveryId: text('delivery_id')
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: 'cascade' }),
    attempt: integer('attempt').notNull(),
    at: timestamp('at').notNull(),
    responseStatus: integer('response_status'),
    durationMs: integer('duration_ms').notNull(),
    error: text('error'),
    nextAttemptAt: timestamp('next_attempt_at'),
  },
  (table) => [index('webhook_attempts_delivery_idx').on(table.deliveryId, table.attempt)],
);
