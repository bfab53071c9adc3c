import { and, asc, count, eq, gt, lt, max, sql } from 'drizzle-orm';
import { mailboxKey } from '../../lib/email.ts';
import type { Db, Store } from '../../db/store.ts';
import { newId } from '../../lib/ids.ts';
import { newerThan, type TimeCursor } from '../shared/keyset.ts';
import { type Announcement, announce } from '../shared/outbox.ts';
import { tableRecords } from '../shared/table-records.ts';

export type SignupRecord = Store['tables']['newsletterSignups']['$inferSelect'];
type SignupStatus = SignupRecord['status'];

export interface SignupAttempt {
  newsletterId: string;
  email: string;
  policyVersion: string;
  source: string | null;
  ipHash: string;
  at: Date;
  /** A fresh confirmation token's hash, stored only if a confirmation email is to be sent. */
  tokenHash: string;
  tokenExpiresAt: Date;
  /** No second confirmation email to an address within this many ms (one a day). */
  perAddressIntervalMs: number;
  /** No more than this many confirmation emails in the last hour, across all addresses. */
  hourlyCap: number;
}

export type ConfirmOutcome =
  { kind: 'confirmed'; newsletterId: string } | { kind: 'invalid' } | { kind: 'expired' };

const noPendingConsent = {
  pendingPolicyVersion: null,
  pendingConsentedAt: null,
  pendingSource: null,
  pendingIpHash: null,
};

/**
 * How far below the hourly confirmation cap signups stop counting in parallel (see
 * recordAttempt). Each signup in flight holds one of its instance's write connections, so the
 * cap is exact while instances × DATABASE_POOL_SIZE stays below this (25 instances at the
 * default pool of 10); README "Running on PostgreSQL".
 */
const capMargin = 256;

/**
 * Tells a newsletter platform or CRM that a subscription is in force, without personal data: the
 * receiver reads the address through the editor API (`GET /v1/admin/newsletter-signups/{id}`),
 * which checks its role, not from a payload that may sit in a receiver's logs.
 */
function signupConfirmed(signupId: string, newsletterId: string, at: Date): Announcement {
  return {
    events: [
      {
        type: 'newsletter.signup_confirmed',
        subjectId: signupId,
        occurredAt: at,
        data: { id: signupId, newsletterId, occurredAt: at.toISOString(), surrogateKeys: [] },
      },
    ],
  };
}

export function createSignupsRepository(store: Store) {
  const { newsletterSignups: signups, newsletterConsentEvents: events } = store.tables;
  const records = tableRecords(store, signups, 'sub');
  const ph = sql.placeholder;

  // What every signup runs, prepared once (Store.writeStatement). Drizzle hands a null bound to
  // a placeholder to the column's encoder, so nullable timestamps are bound as the milliseconds
  // both backends store.
  const insertEvent = store.writeStatement<
    Array<{ id: string }>,
    Required<typeof events.$inferInsert>
  >('signups.insertEvent', (db) =>
    db
      .insert(events)
      .values({
        id: ph('id'),
        signupId: ph('signupId'),
        event: ph('event'),
        at: ph('at'),
        policyVersion: ph('policyVersion'),
        source: ph('source'),
        ipHash: ph('ipHash'),
      })
      .returning({ id: events.id }),
  );
  const byAddress = store.writeStatement<SignupRecord[], { newsletterId: string; email: string }>(
    'signups.byAddress',
    (db) =>
      db
        .select()
        .from(signups)
        .where(and(eq(signups.newsletterId, ph('newsletterId')), eq(signups.email, ph('email'))))
        .limit(1),
  );
  const lastSentToMailbox = store.writeStatement<
    Array<{ lastSent: Date | null }>,
    { newsletterId: string; emailKey: string }
  >('signups.lastSentToMailbox', (db) =>
    db
      .select({ lastSent: max(signups.lastConfirmationSentAt) })
      .from(signups)
      .where(
        and(eq(signups.newsletterId, ph('newsletterId')), eq(signups.emailKey, ph('emailKey'))),
      ),
  );
  const sentSinceStatement = store.writeStatement<Array<{ sent: number }>, { sinceMs: number }>(
    'signups.confirmationsSince',
    (db) =>
      db
        .select({ sent: count() })
        .from(signups)
        .where(sql`${signups.lastConfirmationSentAt} > ${ph('sinceMs')}`),
  );
  const insertSignup = store.writeStatement<
    Array<{ id: string }>,
    {
      id: string;
      newsletterId: string;
      email: string;
      emailKey: string;
      policyVersion: string;
      at: Date;
      source: string | null;
      ipHash: string;
      tokenHash: string | null;
      expiresAtMs: number | null;
      sentAtMs: number | null;
    }
  >('signups.insert', (db) =>
    db
      .insert(signups)
      .values({
        id: ph('id'),
        newsletterId: ph('newsletterId'),
        email: ph('email'),
        emailKey: ph('emailKey'),
        status: 'pending',
        consentPolicyVersion: ph('policyVersion'),
        consentedAt: ph('at'),
        consentSource: ph('source'),
        ipHash: ph('ipHash'),
        confirmationTokenHash: ph('tokenHash'),
        confirmationExpiresAt: sql`${ph('expiresAtMs')}`,
        lastConfirmationSentAt: sql`${ph('sentAtMs')}`,
        createdAt: ph('at'),
        updatedAt: ph('at'),
      })
      .returning({ id: signups.id }),
  );

  async function appendEvent(
    tx: Db,
    signupId: string,
    event: (typeof events.$inferInsert)['event'],
    at: Date,
    extra: { policyVersion?: string | null; source?: string | null; ipHash?: string | null } = {},
  ) {
    await insertEvent(tx, {
      id: newId('cev', at.getTime()),
      signupId,
      event,
      at,
      policyVersion: extra.policyVersion ?? null,
      source: extra.source ?? null,
      ipHash: extra.ipHash ?? null,
    });
  }

  /**
   * Erasure (GDPR Art. 17): the address and every IP hash are gone for good. An anonymous
   * tombstone stays (status "erased" with its consent times), so counts and the ledger's shape
   * remain, but nothing in it points to a person.
   */
  async function anonymise(tx: Db, signupId: string, at: Date, event: 'erase' | 'expire') {
    await tx
      .update(signups)
      .set({
        email: null,
        emailKey: null,
        ipHash: null,
        consentSource: null,
        status: 'erased',
        confirmationTokenHash: null,
        confirmationExpiresAt: null,
        ...noPendingConsent,
        updatedAt: at,
      })
      .where(eq(signups.id, signupId));
    await tx
      .update(events)
      .set({ ipHash: null, source: null })
      .where(eq(events.signupId, signupId));
    await appendEvent(tx, signupId, event, at);
  }

  async function statusOf(tx: Db, signupId: string): Promise<SignupStatus | undefined> {
    const [row] = await tx
      .select({ status: signups.status })
      .from(signups)
      .where(eq(signups.id, signupId))
      .limit(1);
    return row?.status;
  }
  return {
    /**
     * Records a consent for any address state in one transaction, so every path costs about the
     * same. Returns the signup id when a confirmation email must go out, else null.
     */
    async recordAttempt(
      attempt: SignupAttempt,
    ): Promise<{ signupId: string; send: boolean; capReached: boolean }> {
      return store.write(async (tx) => {
        const { at } = attempt;
        const emailKey = mailboxKey(attempt.email);
        // Two signups of one mailbox at once must not both mail it (the per-address throttle).
        await store.dialect.serialize(tx, [`mailbox:${attempt.newsletterId}:${emailKey}`]);
        const [existing] = await byAddress(tx, {
          newsletterId: attempt.newsletterId,
          email: attempt.email,
        });
        // The per-address throttle is per mailbox: case and +tag variants share it.
        const [{ lastSent } = { lastSent: null }] = await lastSentToMailbox(tx, {
          newsletterId: attempt.newsletterId,
          emailKey,
        });
        // Confirmed subscribers get no mail (they are subscribed already); everyone else needs to confirm.
        const wantsMail = existing?.status !== 'confirmed';
        const recentlyMailed =
          lastSent !== null && at.getTime() - lastSent.getTime() < attempt.perAddressIntervalMs;
        let send = wantsMail && !recentlyMailed;
        let capReached = false;
        if (send) {
          const sentSince = async () => {
            const [row] = await sentSinceStatement(tx, { sinceMs: at.getTime() - 3_600_000 });
            return Number(row?.sent ?? 0);
          };
          let sentLastHour = await sentSince();
          // Far below the cap, signups in flight at once cannot reach it together, and need not
          // wait for each other; near it, they count one after another, so the cap is exact.
          if (sentLastHour + capMargin >= attempt.hourlyCap) {
            await store.dialect.serialize(tx, ['signup-confirmation-cap']);
            sentLastHour = await sentSince();
          }
          capReached = sentLastHour >= attempt.hourlyCap;
          send = !capReached;
        }
        const confirmation = {
          confirmationTokenHash: attempt.tokenHash,
          confirmationExpiresAt: attempt.tokenExpiresAt,
          lastConfirmationSentAt: at,
        };

        let signupId: string;
        if (existing === undefined) {
          signupId = newId('sub', at.getTime());
          await insertSignup(tx, {
            id: signupId,
            newsletterId: attempt.newsletterId,
            email: attempt.email,
            emailKey,
            policyVersion: attempt.policyVersion,
            at,
            source: attempt.source,
            ipHash: attempt.ipHash,
            tokenHash: send ? attempt.tokenHash : null,
            expiresAtMs: send ? attempt.tokenExpiresAt.getTime() : null,
            sentAtMs: send ? at.getTime() : null,
          });
        } else {
          signupId = existing.id;
          // The row keeps telling the truth until the reader confirms: an unsubscribed address
          // stays unsubscribed and a confirmed one keeps its consent. A new request is held as
          // pending consent with the link that was mailed for it; the ledger has every request.
          if (send) {
            await tx
              .update(signups)
              .set({
                pendingPolicyVersion: attempt.policyVersion,
                pendingConsentedAt: at,
                pendingSource: attempt.source,
                pendingIpHash: attempt.ipHash,
                ...confirmation,
                updatedAt: at,
              })
              .where(eq(signups.id, signupId));
          }
        }
        await appendEvent(tx, signupId, 'consent', at, {
          policyVersion: attempt.policyVersion,
          source: attempt.source,
          ipHash: attempt.ipHash,
        });
        return { signupId, send, capReached };
      });
    },

    /** Confirmation emails sent in the hour before `at`, across all newsletters. */
    async confirmationsSentSince(since: Date): Promise<number> {
      return store.db.$count(signups, gt(signups.lastConfirmationSentAt, since));
    },

    /** Single use: the token is cleared as it is accepted. */
    async confirm(tokenHash: string, at: Date): Promise<ConfirmOutcome> {
      return store.write(async (tx) => {
        const [row] = await tx
          .select()
          .from(signups)
          .where(eq(signups.confirmationTokenHash, tokenHash))
          .limit(1);
        if (row === undefined) return { kind: 'invalid' };
        if (
          row.confirmationExpiresAt === null ||
          row.confirmationExpiresAt.getTime() <= at.getTime()
        )
          return { kind: 'expired' };
        await tx
          .update(signups)
          .set({
            status: 'confirmed',
            confirmedAt: at,
            unsubscribedAt: null,
            confirmationTokenHash: null,
            confirmationExpiresAt: null,
            // The consent this link was mailed for becomes the one in force.
            ...(row.pendingConsentedAt === null
              ? {}
              : {
                  consentPolicyVersion: row.pendingPolicyVersion ?? row.consentPolicyVersion,
                  consentedAt: row.pendingConsentedAt,
                  consentSource: row.pendingSource,
                  ipHash: row.pendingIpHash,
                }),
            ...noPendingConsent,
            updatedAt: at,
          })
          .where(eq(signups.id, row.id));
        await appendEvent(tx, row.id, 'confirm', at, {
          policyVersion: row.pendingPolicyVersion ?? row.consentPolicyVersion,
        });
        await announce(store, tx, signupConfirmed(row.id, row.newsletterId, at), at);
        return { kind: 'confirmed', newsletterId: row.newsletterId };
      });
    },

    /** Idempotent: unsubscribing twice, or after erasure, is still a success. */
    async unsubscribe(signupId: string, at: Date): Promise<boolean> {
      return store.write(async (tx) => {
        const status = await statusOf(tx, signupId);
        if (status === undefined) return false;
        if (status === 'unsubscribed' || status === 'erased') return true;
        await tx
          .update(signups)
          .set({
            status: 'unsubscribed',
            unsubscribedAt: at,
            confirmationTokenHash: null,
            confirmationExpiresAt: null,
            ...noPendingConsent,
            updatedAt: at,
          })
          .where(eq(signups.id, signupId));
        await appendEvent(tx, signupId, 'unsubscribe', at);
        return true;
      });
    },

    /** Idempotent; see anonymise. */
    async erase(signupId: string, at: Date): Promise<boolean> {
      return store.write(async (tx) => {
        const status = await statusOf(tx, signupId);
        if (status === undefined) return false;
        if (status === 'erased') return true;
        await anonymise(tx, signupId, at, 'erase');
        return true;
      });
    },

    /**
     * Unconfirmed signups older than `createdBefore` are erased like an erasure, with an `expire`
     * event in the ledger: an address nobody confirmed is not kept forever. Batched, so a large
     * backlog never holds the writer for long; returns how many were purged.
     */
    async purgeUnconfirmed(createdBefore: Date, at: Date, batchSize = 500): Promise<number> {
      return store.write(async (tx) => {
        const stale = await tx
          .select({ id: signups.id })
          .from(signups)
          .where(and(eq(signups.status, 'pending'), lt(signups.createdAt, createdBefore)))
          .orderBy(asc(signups.createdAt))
          .limit(batchSize);
        for (const { id } of stale) await anonymise(tx, id, at, 'expire');
        return stale.length;
      });
    },

    async list(
      newsletterId: string,
      options: { status?: SignupStatus | undefined; limit: number; after: [number, string] | null },
    ) {
      const where = and(
        eq(signups.newsletterId, newsletterId),
        options.status === undefined ? undefined : eq(signups.status, options.status),
      );
      const [rows, total] = await Promise.all([
        records.listNewest(options, where),
        records.count(where),
      ]);
      return { items: rows, total };
    },

    /** Every signup of a newsletter, oldest first, fetched in keyset batches: memory stays flat. */
    async *exportAll(newsletterId: string, batchSize = 1000): AsyncGenerator<SignupRecord[]> {
      let after: TimeCursor = null;
      for (;;) {
        const keyset = newerThan(signups.createdAt, signups.id, after);
        const rows = await store.db
          .select()
          .from(signups)
          .where(and(eq(signups.newsletterId, newsletterId), keyset))
          .orderBy(asc(signups.createdAt), asc(signups.id))
          .limit(batchSize);
        if (rows.length > 0) yield rows;
        const last = rows.at(-1);
        if (rows.length < batchSize || last === undefined) return;
        after = [last.createdAt.getTime(), last.id];
      }
    },
  };
}

export type SignupsRepository = ReturnType<typeof createSignupsRepository>;
