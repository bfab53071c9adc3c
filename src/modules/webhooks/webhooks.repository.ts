import { and, asc, eq, inArray, isNull, lt, lte, ne, or } from 'drizzle-orm';
import type { Store } from '../../db/store.ts';
import { newId } from '../../lib/ids.ts';
import { newWebhookSecret } from '../../lib/standard-webhooks.ts';
import { newestFirst, type TimeCursor } from '../shared/keyset.ts';
import { enqueueEvents, type OutboxEvent } from '../shared/outbox.ts';
import { tableRecords } from '../shared/table-records.ts';
import { type Purger, purgedEvents, purgerEndpointId, purgerKinds } from './webhooks.purgers.ts';

// Endpoints, and the outbox's deliveries as the relay and the editors' log see them. No HTTP
// here: the relay sends, this records.

export type WebhookEndpointRecord = Store['tables']['webhookEndpoints']['$inferSelect'];
export type WebhookDeliveryRecord = Store['tables']['webhookDeliveries']['$inferSelect'];
export type WebhookAttemptRecord = Store['tables']['webhookAttempts']['$inferSelect'];

/** A claimed delivery with what sending it needs. */
export interface DueDelivery {
  delivery: WebhookDeliveryRecord;
  event: Store['tables']['webhookEvents']['$inferSelect'];
  endpoint: WebhookEndpointRecord;
}

/** What one attempt came to, as the relay records it. */
export interface AttemptOutcome {
  at: Date;
  responseStatus: number | null;
  durationMs: number;
  error: string | null;
  /** The delivery's state after it. */
  status: 'pending' | 'succeeded' | 'failed' | 'cancelled';
  nextAttemptAt: Date | null;
  /** The receiver answered 410 Gone: the endpoint is disabled. */
  disableEndpoint: boolean;
}

export type EndpointFields = Pick<
  WebhookEndpointRecord,
  'url' | 'description' | 'events' | 'enabled' | 'secret'
>;

export function createWebhooksRepository(store: Store) {
  const { webhookEndpoints: endpoints, webhookEvents: events } = store.tables;
  const { webhookDeliveries: deliveries, webhookAttempts: attempts } = store.tables;
  const records = tableRecords(store, endpoints, 'whk');

  return {
    findById: (id: string) => records.findById(id),
    list: (page: { limit: number; after: TimeCursor }) => records.listNewest(page),
    count: () => records.count(),

    create: (fields: EndpointFields, at: Date) =>
      store.write((tx) =>
        records.insert(tx, { ...fields, disabledReason: null, previousSecret: null }, at),
      ),

    /** Enabling again clears why the server had disabled it. */
    update: (id: string, changes: Partial<EndpointFields>, at: Date) =>
      store.write((tx) =>
        records.change(
          tx,
          id,
          changes.enabled === true ? { ...changes, disabledReason: null } : changes,
          at,
        ),
      ),

    /**
     * Makes the CDN purge endpoints match the environment: one row per kind, with a fixed id so
     * instances starting together write the same one; enabled while configured, disabled (its
     * log kept) once not. Writes only when something differs.
     */
    syncPurgers: async (configured: readonly Purger[], at: Date): Promise<void> => {
      for (const kind of purgerKinds) {
        const id = purgerEndpointId(kind);
        const current = await records.findById(id);
        const purger = configured.find((candidate) => candidate.kind === kind);
        if (purger === undefined) {
          if (current?.enabled === true)
            await store.write((tx) =>
              records.change(tx, id, { enabled: false, disabledReason: 'unconfigured' }, at),
            );
          continue;
        }
        const wanted = {
          kind,
          url: purger.url,
          description: purger.description,
          events: purgedEvents,
          enabled: true,
          disabledReason: null,
        };
        if (current === undefined) {
          await store.write((tx) =>
            tx
              .insert(endpoints)
              .values({
                ...wanted,
                id,
                // Never used: a purge is authorised by the CDN's API token.
                secret: newWebhookSecret(),
                previousSecret: null,
                createdAt: at,
                updatedAt: at,
              })
              .onConflictDoNothing(),
          );
          continue;
        }
        const differs =
          current.url !== wanted.url ||
          current.description !== wanted.description ||
          !current.enabled ||
          current.events.join() !== wanted.events.join();
        if (differs) await store.write((tx) => records.change(tx, id, wanted, at));
      }
    },

    /** Deletes the endpoint with its deliveries and their attempt log. */
    delete: (id: string, at: Date) => records.delete(id, at, []),

    /** The new secret signs from now; the old one too until `previousExpiresAt`. */
    rotateSecret: (id: string, secret: string, previousExpiresAt: Date, at: Date) =>
      store.write(async (tx) => {
        const current = await records.findById(id, tx);
        if (current === undefined) return undefined;
        return records.change(
          tx,
          id,
          {
            secret,
            previousSecret: current.secret,
            previousSecretExpiresAt: previousExpiresAt,
          },
          at,
        );
      }),

    /** One endpoint's deliveries, newest first, each with its attempts in order. */
    async deliveries(
      endpointId: string,
      page: { limit: number; after: TimeCursor },
    ): Promise<
      Array<{ delivery: WebhookDeliveryRecord; type: string; attempts: WebhookAttemptRecord[] }>
    > {
      const { below, order, take } = newestFirst(deliveries.createdAt, deliveries.id, page);
      const rows = await store.db
        .select({ delivery: deliveries, type: events.type })
        .from(deliveries)
        .innerJoin(events, eq(events.id, deliveries.eventId))
        .where(and(eq(deliveries.endpointId, endpointId), below))
        .orderBy(...order)
        .limit(take);
      if (rows.length === 0) return [];
      const log = await store.db
        .select()
        .from(attempts)
        .where(
          inArray(
            attempts.deliveryId,
            rows.map((row) => row.delivery.id),
          ),
        )
        .orderBy(asc(attempts.deliveryId), asc(attempts.attempt));
      const byDelivery = new Map<string, WebhookAttemptRecord[]>();
      for (const attempt of log)
        byDelivery.set(attempt.deliveryId, [
          ...(byDelivery.get(attempt.deliveryId) ?? []),
          attempt,
        ]);
      return rows.map((row) => ({ ...row, attempts: byDelivery.get(row.delivery.id) ?? [] }));
    },

    /** The same event to the same endpoint once more, now, with the same `webhook-id`. */
    redeliver: (endpointId: string, deliveryId: string, at: Date) =>
      store.write(async (tx) => {
        const [original] = await tx
          .select({ eventId: deliveries.eventId, type: events.type })
          .from(deliveries)
          .innerJoin(events, eq(events.id, deliveries.eventId))
          .where(and(eq(deliveries.id, deliveryId), eq(deliveries.endpointId, endpointId)))
          .limit(1);
        if (original === undefined) return undefined;
        const [copy] = await tx
          .insert(deliveries)
          .values({
            id: newId('dlv', at.getTime()),
            eventId: original.eventId,
            endpointId,
            status: 'pending',
            attempts: 0,
            nextAttemptAt: at,
            createdAt: at,
            updatedAt: at,
          })
          .returning();
        return copy === undefined ? undefined : { delivery: copy, type: original.type };
      }),

    /** A `webhook.test` event for this endpoint alone. */
    sendTest: (endpointId: string, event: OutboxEvent, at: Date) =>
      store.write(async (tx) => {
        const [written] = await enqueueEvents(store, tx, [event], at, endpointId);
        if (written === undefined) return undefined;
        const [row] = await tx
          .select()
          .from(deliveries)
          .where(eq(deliveries.id, written.id))
          .limit(1);
        return row;
      }),

    /**
     * Takes up to `limit` due deliveries for `leaseMs`. Two instances claiming at once cannot
     * both take one: the UPDATE checks the lease again on the row it changes (PostgreSQL re-reads
     * a row another transaction just changed before updating it; SQLite writes one at a time).
     */
    async claimDue(now: Date, leaseMs: number, limit: number): Promise<DueDelivery[]> {
      const due = and(
        eq(deliveries.status, 'pending'),
        lte(deliveries.nextAttemptAt, now),
        or(isNull(deliveries.leaseUntil), lt(deliveries.leaseUntil, now)),
      );
      // Woken after every write: a read answers "nothing due" without opening a write.
      const [any] = await store.db
        .select({ id: deliveries.id })
        .from(deliveries)
        .where(due)
        .limit(1);
      if (any === undefined) return [];
      return store.write(async (tx): Promise<DueDelivery[]> => {
        const candidates = await tx
          .select({ id: deliveries.id })
          .from(deliveries)
          .where(due)
          .orderBy(asc(deliveries.nextAttemptAt))
          .limit(limit);
        if (candidates.length === 0) return [];
        const claimed = await tx
          .update(deliveries)
          .set({ leaseUntil: new Date(now.getTime() + leaseMs) })
          .where(
            and(
              inArray(
                deliveries.id,
                candidates.map((row) => row.id),
              ),
              due,
            ),
          )
          .returning({ id: deliveries.id });
        if (claimed.length === 0) return [];
        return tx
          .select({ delivery: deliveries, event: events, endpoint: endpoints })
          .from(deliveries)
          .innerJoin(events, eq(events.id, deliveries.eventId))
          .innerJoin(endpoints, eq(endpoints.id, deliveries.endpointId))
          .where(
            inArray(
              deliveries.id,
              claimed.map((row) => row.id),
            ),
          )
          .orderBy(asc(deliveries.nextAttemptAt));
      });
    },

    /** Records one attempt and the delivery's new state; a 410 disables the endpoint. */
    recordAttempt: (delivery: WebhookDeliveryRecord, outcome: AttemptOutcome) =>
      store.write(async (tx) => {
        const attempt = delivery.attempts + 1;
        await tx.insert(attempts).values({
          id: newId('wat', outcome.at.getTime()),
          deliveryId: delivery.id,
          attempt,
          at: outcome.at,
          responseStatus: outcome.responseStatus,
          durationMs: outcome.durationMs,
          error: outcome.error,
          nextAttemptAt: outcome.nextAttemptAt,
        });
        await tx
          .update(deliveries)
          .set({
            status: outcome.status,
            attempts: attempt,
            nextAttemptAt: outcome.nextAttemptAt,
            leaseUntil: null,
            lastResponseStatus: outcome.responseStatus,
            lastError: outcome.error,
            updatedAt: outcome.at,
          })
          .where(eq(deliveries.id, delivery.id));
        if (outcome.disableEndpoint) {
          await tx
            .update(endpoints)
            .set({ enabled: false, disabledReason: 'gone', updatedAt: outcome.at })
            .where(eq(endpoints.id, delivery.endpointId));
        }
      }),

    /** Ends a claimed delivery without an attempt (its endpoint is disabled, its article moved). */
    cancel: (deliveryId: string, reason: string, at: Date) =>
      store.write(async (tx) => {
        await tx
          .update(deliveries)
          .set({
            status: 'cancelled',
            nextAttemptAt: null,
            leaseUntil: null,
            lastError: reason,
            updatedAt: at,
          })
          .where(eq(deliveries.id, deliveryId));
      }),

    /**
     * The bounded history: finished deliveries last changed before `before` (with their attempt
     * log), then events no delivery refers to. Returns how many deliveries went.
     */
    prune: (before: Date, batch: number) =>
      store.write(async (tx) => {
        const old = await tx
          .select({ id: deliveries.id })
          .from(deliveries)
          .where(and(ne(deliveries.status, 'pending'), lt(deliveries.updatedAt, before)))
          .orderBy(asc(deliveries.updatedAt))
          .limit(batch);
        if (old.length > 0)
          await tx.delete(deliveries).where(
            inArray(
              deliveries.id,
              old.map((row) => row.id),
            ),
          );
        const orphans = await tx
          .select({ id: events.id })
          .from(events)
          .leftJoin(deliveries, eq(deliveries.eventId, events.id))
          .where(and(isNull(deliveries.id), lt(events.occurredAt, before)))
          .limit(batch);
        if (orphans.length > 0)
          await tx.delete(events).where(
            inArray(
              events.id,
              orphans.map((row) => row.id),
            ),
          );
        return old.length;
      }),

    /** A subject's current state for the check before a scheduled send. */
    async articleState(id: string) {
      const { articles } = store.tables;
      const [row] = await store.db
        .select({ status: articles.status, publishedAt: articles.publishedAt })
        .from(articles)
        .where(eq(articles.id, id))
        .limit(1);
      return row;
    },
  };
}

export type WebhooksRepository = ReturnType<typeof createWebhooksRepository>;
