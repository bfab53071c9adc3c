import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';
import { HttpError, invalidFields, notFound } from '../../errors.ts';
import type { PageRequest } from '../../pagination.ts';
import { iso, isoOrNull } from '../../schemas.ts';
import { domainAndParents } from '../../lib/email.ts';
import type { Mailer } from '../../mail.ts';
import type { Clock } from '../shared/clock.ts';
import type { InstanceSecrets } from '../shared/instance-secrets.ts';
import type { NewslettersRepository } from './newsletters.repository.ts';
import type { SignupRecord, SignupsRepository } from './signups.repository.ts';
import type { AdminSignup, SignupInput } from './signups.schemas.ts';
import { confirmationMail } from './signups.mail.ts';

// Double opt-in signups (RELIABILITY.md rules 15–18). The public answer never depends on the
// address's state; everything that does happens behind it.

export interface SignupSettings {
  siteUrl: string;
  publicApiUrl: string;
  confirmPath: string;
  unsubscribePath: string;
  confirmationTtlMs: number;
  confirmationsPerHour: number;
  blockedDomains: readonly string[];
  /** Unconfirmed signups older than this are purged (an `expire` event in the ledger). */
  pendingRetentionMs: number;
}

/** Where the service reports what an operator must know (the app passes its logger). */
export interface SignupsLog {
  warn(fields: Record<string, unknown>, message: string): void;
}

/** At most one "cap reached" warning in this long, however many signups hit the cap. */
const capWarningIntervalMs = 10 * 60_000;

const oneDayMs = 86_400_000;

/** Unconfirmed signups anonymised per write transaction when purging. */
const purgeBatch = 20;

// A maintained list of throwaway-address domains (the disposable-email-domains package).
const disposableDomains = createRequire(import.meta.url)('disposable-email-domains') as string[];

export function toAdminSignup(record: SignupRecord): AdminSignup {
  return {
    id: record.id,
    email: record.email,
    status: record.status,
    consent: {
      policyVersion: record.consentPolicyVersion,
      consentedAt: iso(record.consentedAt),
      source: record.consentSource,
      ipHash: record.ipHash,
    },
    confirmedAt: isoOrNull(record.confirmedAt),
    unsubscribedAt: isoOrNull(record.unsubscribedAt),
    createdAt: iso(record.createdAt),
    updatedAt: iso(record.updatedAt),
  };
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

export interface SignupsServiceDeps {
  newsletters: NewslettersRepository;
  signups: SignupsRepository;
  mailer: Mailer;
  secrets: InstanceSecrets;
  settings: SignupSettings;
  clock: Clock;
  log: SignupsLog;
  /** Empties the storage's write-ahead log (Store.checkpoint), after personal data is erased. */
  checkpoint: () => Promise<void>;
}

export function createSignupsService({
  newsletters,
  signups,
  mailer,
  secrets,
  settings,
  clock,
  log,
  checkpoint,
}: SignupsServiceDeps) {
  const now = () => clock.now();
  const blocked = new Set([...disposableDomains, ...settings.blockedDomains]);
  let capReachedAt: Date | null = null;

  const hashAddress = (ip: string) => createHmac('sha256', secrets.ipSalt).update(ip).digest('hex');

  /** Unsubscribe links never expire, so they are signed (not stored): `<signup id>.<HMAC>`. */
  function unsubscribeToken(signupId: string): string {
    const mac = createHmac('sha256', secrets.tokenKey)
      .update(`unsubscribe:${signupId}`)
      .digest('base64url');
    return `${signupId}.${mac}`;
  }

  function verifyUnsubscribeToken(token: string): string | null {
    const [signupId, mac, ...rest] = token.split('.');
    if (signupId === undefined || mac === undefined || rest.length > 0) return null;
    const expected = Buffer.from(unsubscribeToken(signupId).slice(signupId.length + 1));
    const given = Buffer.from(mac);
    return given.length === expected.length && timingSafeEqual(given, expected) ? signupId : null;
  }

  async function idOf(newsletterSlug: string): Promise<string> {
    const newsletter = await newsletters.findBySlug(newsletterSlug);
    if (newsletter === undefined) throw notFound('No newsletter with that slug.');
    return newsletter.id;
  }

  return {
    async signup(newsletterSlug: string, input: SignupInput, clientAddress: string): Promise<void> {
      const newsletter = await newsletters.findBySlug(newsletterSlug);
      if (newsletter === undefined || !newsletter.active)
        throw notFound('No active newsletter with that slug.');
      // A bot filled the hidden field: same answer, nothing stored, nothing sent.
      if (input.website !== undefined && input.website !== '') return;
      if (input.privacyPolicyVersion !== newsletter.privacyPolicyVersion) {
        throw invalidFields([
          {
            path: 'body.privacyPolicyVersion',
            message: `The privacy policy in force is ${newsletter.privacyPolicyVersion}; show it and send that version.`,
          },
        ]);
      }
      // `a@sub.mailinator.com` is as disposable as `a@mailinator.com`.
      if (domainAndParents(input.email).some((domain) => blocked.has(domain))) {
        throw invalidFields([
          {
            path: 'body.email',
            message: 'Addresses at this domain are not accepted; use a permanent address.',
          },
        ]);
      }
      const token = randomBytes(32).toString('base64url');
      const at = now();
      const { signupId, send, capReached } = await signups.recordAttempt({
        newsletterId: newsletter.id,
        email: input.email,
        policyVersion: input.privacyPolicyVersion,
        source: input.source ?? null,
        ipHash: hashAddress(clientAddress),
        at,
        tokenHash: sha256(token),
        tokenExpiresAt: new Date(at.getTime() + settings.confirmationTtlMs),
        perAddressIntervalMs: oneDayMs,
        hourlyCap: settings.confirmationsPerHour,
      });
      if (capReached) {
        const previous = capReachedAt;
        capReachedAt = at;
        if (previous === null || at.getTime() - previous.getTime() >= capWarningIntervalMs)
          log.warn(
            { hourlyCap: settings.confirmationsPerHour },
            'signup confirmation cap reached: no confirmation emails are sent until the hour rolls over (SIGNUP_CONFIRMATIONS_PER_HOUR)',
          );
      }
      if (send)
        mailer.deliver(
          confirmationMail(settings, {
            to: input.email,
            newsletter,
            token,
            unsubscribeToken: unsubscribeToken(signupId),
          }),
          'signup-confirmation',
        );
    },

    async confirm(token: string): Promise<{ slug: string; name: string }> {
      const outcome = await signups.confirm(sha256(token), now());
      if (outcome.kind === 'invalid') {
        throw new HttpError(
          400,
          'invalid-token',
          'This confirmation link is not valid or has been used already.',
        );
      }
      if (outcome.kind === 'expired') {
        throw new HttpError(
          410,
          'token-expired',
          'This confirmation link has expired. Sign up again to get a new one.',
        );
      }
      const newsletter = await newsletters.findById(outcome.newsletterId);
      return { slug: newsletter?.slug ?? '', name: newsletter?.name ?? '' };
    },

    async unsubscribe(token: string): Promise<void> {
      const signupId = verifyUnsubscribeToken(token);
      if (signupId === null || !(await signups.unsubscribe(signupId, now()))) {
        throw new HttpError(400, 'invalid-token', 'This unsubscribe link is not valid.');
      }
    },

    /** What the editor API shows about confirmation mail: is the global cap holding mail back? */
    async mailStats() {
      const at = now();
      const sentLastHour = await signups.confirmationsSentSince(new Date(at.getTime() - 3_600_000));
      return {
        confirmationsSentLastHour: sentLastHour,
        hourlyCap: settings.confirmationsPerHour,
        capReached: sentLastHour >= settings.confirmationsPerHour,
        capLastReachedAt: capReachedAt?.toISOString() ?? null,
      };
    },

    /**
     * Erases a signup's personal data (404 when there is no such signup). The write-ahead log is
     * emptied afterwards, so no file on disk holds the address any more.
     */
    async erase(signupId: string): Promise<void> {
      if (!(await signups.erase(signupId, now()))) throw notFound('No signup with that id.');
      await checkpoint();
    },

    /** A newsletter's signups with their consent records, newest first, and their count. */
    async list(
      newsletterSlug: string,
      filters: { status?: SignupRecord['status'] | undefined },
      page: PageRequest<'createdAt'>,
    ) {
      const newsletterId = await idOf(newsletterSlug);
      const { items, total } = await signups.list(newsletterId, { ...filters, ...page });
      return { items: items.map(toAdminSignup), total };
    },

    /** Every signup of a newsletter, oldest first, in batches (404 before the first one). */
    async exportAll(newsletterSlug: string): Promise<AsyncGenerator<AdminSignup[]>> {
      const newsletterId = await idOf(newsletterSlug);
      async function* batches() {
        for await (const batch of signups.exportAll(newsletterId)) yield batch.map(toAdminSignup);
      }
      return batches();
    },

    /** Purges unconfirmed signups past the retention period; returns how many. */
    async purgeUnconfirmed(): Promise<number> {
      const at = now();
      const before = new Date(at.getTime() - settings.pendingRetentionMs);
      let total = 0;
      for (;;) {
        // Small batches, and the event loop gets a turn between them: a backlog of 50,000
        // purged 500 at a time held every request up for ~100 ms per batch.
        const purged = await signups.purgeUnconfirmed(before, at, purgeBatch);
        total += purged;
        if (purged === 0) break;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      if (total > 0) await checkpoint();
      return total;
    },

    unsubscribeToken,
  };
}

export type SignupsService = ReturnType<typeof createSignupsService>;
