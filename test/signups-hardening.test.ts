import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { clientKey } from '../src/lib/rate-limit.ts';
import {
  bearer,
  createTestApp,
  LogCapture,
  manualClock,
  onPostgres,
  type TestApp,
} from './helpers.ts';
import { settle, startSmtpServer } from './smtp.ts';

// Findings of an outside review of the signup flow: each case failed on the code before its fix.

const policy = 'privacy-policy@1';
let t: TestApp | undefined;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await t?.close();
  t = undefined;
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function newsroom(options: Parameters<typeof createTestApp>[0] = {}) {
  const app = await createTestApp({
    ...options,
    config: { signupRateLimit: 1000, signupsPerClientPerHour: 1000, ...options.config },
  });
  const editor = await app.token('editor');
  await app.api
    .post('/v1/admin/newsletters')
    .set(bearer(editor))
    .send({
      name: 'The Weekly Briefing',
      slug: 'weekly',
      cadence: 'weekly',
      sendDay: 'friday',
      privacyPolicyVersion: policy,
    })
    .expect(201);
  const signup = (email: string, extra: Record<string, unknown> = {}) =>
    app.api
      .post('/v1/newsletters/weekly/signups')
      .send({ email, consent: true, privacyPolicyVersion: policy, source: 'footer', ...extra });
  const listed = async (status?: string) =>
    (
      await app.api
        .get(
          `/v1/admin/newsletters/weekly/signups${status === undefined ? '' : `?status=${status}`}`,
        )
        .set(bearer(editor))
        .expect(200)
    ).body.data as Array<{
      id: string;
      email: string | null;
      status: string;
      consent: { consentedAt: string; source: string | null; policyVersion: string };
      unsubscribedAt: string | null;
    }>;
  return { app, editor, signup, listed };
}

describe('confirmation mail', () => {
  it('is throttled per mailbox: case and +tag variants of one address get one mail a day', async () => {
    const smtp = await startSmtpServer();
    cleanups.push(() => smtp.close());
    const { app, signup } = await newsroom({ config: { smtpUrl: smtp.url } });
    t = app;
    for (const email of [
      'jane.roe@example.org',
      'Jane.Roe@example.org',
      'JANE.ROE@example.org',
      'jane.roe+1@example.org',
      'jane.roe+news@example.org',
      'Jane.Roe+x@Example.ORG',
    ])
      await signup(email).expect(202);
    await settle(300);
    expect(smtp.messages).toHaveLength(1);
    // Delivered to the address as typed.
    expect(smtp.messages[0]?.to).toMatchObject({ text: 'jane.roe@example.org' });
  });

  it('is not retried after a permanent SMTP rejection, and the rejection text is redacted in the log', async () => {
    const smtp = await startSmtpServer({ failFirst: 10, failureCode: 550 });
    cleanups.push(() => smtp.close());
    const logs = new LogCapture();
    const { app, signup } = await newsroom({
      logs,
      config: { smtpUrl: smtp.url, mailRetryDelayMs: 20 },
    });
    t = app;
    await signup('nobody.here@example.org').expect(202);
    await settle(500);
    expect(smtp.attempts()).toBe(1);
    expect(logs.text).toContain('rejected permanently');
    expect(logs.text).not.toContain('nobody.here');
  });
});

describe('consent state', () => {
  it('keeps an unsubscribed address unsubscribed, with its consent, until the new request is confirmed', async () => {
    const clock = manualClock();
    const smtp = await startSmtpServer();
    cleanups.push(() => smtp.close());
    const { app, signup, listed } = await newsroom({
      now: clock.now,
      config: { smtpUrl: smtp.url, siteUrl: 'https://www.example.org' },
    });
    t = app;
    await signup('reader@example.org', { source: 'footer' }).expect(202);
    await smtp.waitForMessages(1);
    const confirmToken = /confirm\?token=([^\s"&]+)/.exec(smtp.messages[0]?.text ?? '')?.[1];
    await app.api
      .post('/v1/newsletter-signups/confirm')
      .send({ token: decodeURIComponent(confirmToken ?? '') })
      .expect(200);
    const unsubscribeToken = /unsubscribe\?token=([^\s"&]+)/.exec(
      smtp.messages[0]?.text ?? '',
    )?.[1];
    clock.advance(60_000);
    await app.api
      .post('/v1/newsletter-signups/unsubscribe')
      .send({ token: decodeURIComponent(unsubscribeToken ?? '') })
      .expect(200);
    const [unsubscribed] = await listed();
    expect(unsubscribed).toMatchObject({ status: 'unsubscribed', consent: { source: 'footer' } });

    // A new signup two days later (so a mail goes out) from another form.
    clock.advance(2 * 86_400_000);
    await signup('reader@example.org', { source: 'popup' }).expect(202);
    await smtp.waitForMessages(2);
    const [stillUnsubscribed] = await listed();
    expect({ ...stillUnsubscribed, updatedAt: undefined }).toEqual({
      ...unsubscribed,
      updatedAt: undefined,
    });

    // Confirming the new request is what changes the row.
    const secondToken = /confirm\?token=([^\s"&]+)/.exec(smtp.messages[1]?.text ?? '')?.[1];
    await app.api
      .post('/v1/newsletter-signups/confirm')
      .send({ token: decodeURIComponent(secondToken ?? '') })
      .expect(200);
    const [confirmed] = await listed();
    expect(confirmed).toMatchObject({
      status: 'confirmed',
      unsubscribedAt: null,
      consent: { source: 'popup', consentedAt: clock.now().toISOString() },
    });
  });

  it('leaves a confirmed subscriber’s consent as it was when the form is sent again', async () => {
    const smtp = await startSmtpServer();
    cleanups.push(() => smtp.close());
    const { app, signup, listed } = await newsroom({ config: { smtpUrl: smtp.url } });
    t = app;
    await signup('loyal@example.org', { source: 'footer' }).expect(202);
    await smtp.waitForMessages(1);
    const token = /confirm\?token=([^\s"&]+)/.exec(smtp.messages[0]?.text ?? '')?.[1];
    await app.api
      .post('/v1/newsletter-signups/confirm')
      .send({ token: decodeURIComponent(token ?? '') })
      .expect(200);
    const [before] = await listed();
    await signup('loyal@example.org', { source: 'popup' }).expect(202);
    expect(await listed()).toEqual([before]);
  });
});

describe('blocked domains and client keys', () => {
  it('refuses subdomains of disposable domains', async () => {
    const { app, signup } = await newsroom();
    t = app;
    for (const email of ['a@mailinator.com', 'a@sub.mailinator.com', 'a@x.y.MAILINATOR.com']) {
      const response = await signup(email).expect(400);
      expect(response.body.errors[0].path).toBe('body.email');
    }
    await signup('a@mailinator.example.com').expect(202);
  });

  it('keys IPv6 clients per /64 and IPv4-mapped addresses as IPv4', () => {
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('203.0.113.7')).toBe('203.0.113.7');
  });

  it('rate-limits the addresses of one IPv6 /64 together', async () => {
    t = await createTestApp({ config: { trustProxy: true, signupRateLimit: 3 } });
    const app = t;
    const statuses: number[] = [];
    for (let host = 1; host <= 5; host += 1)
      statuses.push(
        (
          await app.api
            .post('/v1/newsletters/none/signups')
            .set('X-Forwarded-For', `2001:db8:aa:bb::${host.toString(16)}`)
            .send({})
        ).status,
      );
    expect(statuses.filter((status) => status === 429)).toHaveLength(2);
    // Another /64 has a budget of its own.
    await app.api
      .post('/v1/newsletters/none/signups')
      .set('X-Forwarded-For', '2001:db8:aa:cc::1')
      .send({})
      .expect(400);
  });
});

describe('the global confirmation cap', () => {
  it('cannot be used up by one client, warns once when reached, and shows in the editor API', async () => {
    const smtp = await startSmtpServer();
    cleanups.push(() => smtp.close());
    const logs = new LogCapture();
    const { app, editor, signup } = await newsroom({
      logs,
      config: {
        smtpUrl: smtp.url,
        signupConfirmationsPerHour: 5,
        signupsPerClientPerHour: 3,
        trustProxy: true,
      },
    });
    t = app;
    const from = (ip: string, email: string) =>
      app.api
        .post('/v1/newsletters/weekly/signups')
        .set('X-Forwarded-For', ip)
        .send({ email, consent: true, privacyPolicyVersion: policy });
    const statuses: number[] = [];
    for (let index = 0; index < 6; index += 1)
      statuses.push((await from('198.51.100.1', `flood${index}@example.org`)).status);
    expect(statuses).toEqual([202, 202, 202, 429, 429, 429]);
    for (const [index, ip] of ['198.51.100.2', '198.51.100.3'].entries()) {
      await from(ip, `a${index}@example.org`).expect(202);
      await from(ip, `b${index}@example.org`).expect(202);
    }
    const stats = await app.api
      .get('/v1/admin/newsletter-signups/stats')
      .set(bearer(editor))
      .expect(200);
    expect(stats.body.data).toMatchObject({
      confirmationsSentLastHour: 5,
      hourlyCap: 5,
      capReached: true,
      capLastReachedAt: expect.any(String),
    });
    expect(logs.text.match(/confirmation cap reached/g)).toHaveLength(1);
    void signup;
  });
});

describe('retention and erasure', () => {
  it('purges unconfirmed signups after the retention period, as a ledger event', async () => {
    const clock = manualClock();
    const { app, signup, listed } = await newsroom({
      now: clock.now,
      config: { signupPendingRetentionDays: 7 },
    });
    t = app;
    await signup('never.confirmed@example.org').expect(202);
    clock.advance(6 * 86_400_000);
    await signup('recent@example.org').expect(202);
    clock.advance(86_400_000 + 1);
    expect(await app.app.services.signups.purgeUnconfirmed()).toBe(1);
    const rows = await listed();
    expect(rows.map((row) => [row.email, row.status])).toEqual([
      ['recent@example.org', 'pending'],
      [null, 'erased'],
    ]);
    const events = await app.app.store.db
      .select()
      .from(app.app.store.tables.newsletterConsentEvents);
    expect(events.map((event) => event.event).sort()).toEqual(['consent', 'consent', 'expire']);
    await app.app.close();
    // The file holds no trace on SQLite. PostgreSQL's VACUUM frees the dead row's space without
    // promising to overwrite it (README "Running on PostgreSQL"), so there is no file to check.
    if (!onPostgres)
      expect(readFileSync(app.config.databasePath).includes('never.confirmed')).toBe(false);
  });

  it('leaves the erased address in neither the database file nor its write-ahead log', async () => {
    const { app, editor, signup, listed } = await newsroom();
    t = app;
    const email = 'erase.me.now@example.org';
    await signup(email).expect(202);
    const [row] = await listed();
    await app.api.delete(`/v1/admin/newsletter-signups/${row?.id}`).set(bearer(editor)).expect(204);
    // While the server is still running: the WAL was truncated right after the erasure.
    const path = app.config.databasePath;
    for (const file of [path, `${path}-wal`]) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(file);
      } catch {
        continue;
      }
      expect(bytes.includes(Buffer.from(email)), file).toBe(false);
    }
  });
});
