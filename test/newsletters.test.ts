import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, LogCapture, manualClock, type TestApp } from './helpers.ts';
import { settle, type SmtpServer, startSmtpServer } from './smtp.ts';

const clock = manualClock(new Date('2026-11-28T09:00:00.000Z'));
const logs = new LogCapture();
let smtp: SmtpServer;
let t: TestApp;
let editor: string;
const policy = 'privacy-policy@3';

beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await createTestApp({
    now: clock.now,
    logs,
    config: {
      smtpUrl: smtp.url,
      siteUrl: 'https://www.example.org',
      publicApiUrl: 'https://api.example.org',
      signupRateLimit: 1000,
      mailRetryDelayMs: 20,
    },
  });
  editor = await t.token('editor');
  await t.api
    .post('/v1/admin/newsletters')
    .set(bearer(editor))
    .send({
      name: 'The Weekly Briefing',
      slug: 'weekly',
      description: 'Hand-picked news and analysis.',
      cadence: 'weekly',
      sendDay: 'friday',
      previewUrl: 'https://www.example.org/newsletters/weekly/preview',
      privacyPolicyVersion: policy,
    })
    .expect(201);
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});

let emailCounter = 0;
const freshEmail = () => `reader${(emailCounter += 1)}@example.org`;
const signup = (email: string, extra: Record<string, unknown> = {}) =>
  t.api.post('/v1/newsletters/weekly/signups').send({
    email,
    consent: true,
    privacyPolicyVersion: policy,
    source: 'article-footer',
    ...extra,
  });

/** The message sent to `email`, once it has arrived. */
async function mailTo(email: string): Promise<ParsedMail> {
  for (let waited = 0; waited < 5000; waited += 20) {
    const found = smtp.messages.find(
      (message) => message.to !== undefined && 'text' in message.to && message.to.text === email,
    );
    if (found !== undefined) return found;
    await settle(20);
  }
  throw new Error(`no mail to ${email}`);
}

/** The raw value of a header as sent (mailparser restructures List-* headers). */
function rawHeader(message: ParsedMail | undefined, name: string): string {
  const line = message?.headerLines.find((header) => header.key === name.toLowerCase())?.line ?? '';
  return line
    .slice(line.indexOf(':') + 1)
    .replace(/\r?\n\s+/g, ' ')
    .trim();
}

function tokenFrom(text: string | undefined, path: string): string {
  const match = new RegExp(`${path}\\?token=([^\\s"&]+)`).exec(text ?? '');
  if (match?.[1] === undefined) throw new Error(`no ${path} link in ${text}`);
  return decodeURIComponent(match[1]);
}

const adminSignups = async (query = '') =>
  (
    await t.api
      .get(`/v1/admin/newsletters/weekly/signups?limit=100${query}`)
      .set(bearer(editor))
      .expect(200)
  ).body.data as Array<{
    id: string;
    email: string | null;
    status: string;
    consent: {
      policyVersion: string;
      consentedAt: string;
      source: string | null;
      ipHash: string | null;
    };
    confirmedAt: string | null;
    unsubscribedAt: string | null;
  }>;
const findSignup = async (email: string) =>
  (await adminSignups()).find((signup) => signup.email === email);

describe('newsletters', () => {
  it('lists active newsletters publicly with cadence and policy, without subscriber data', async () => {
    await t.api
      .post('/v1/admin/newsletters')
      .set(bearer(editor))
      .send({ name: 'Old Digest', cadence: 'daily', privacyPolicyVersion: policy, active: false })
      .expect(201);
    const response = await t.api.get('/v1/newsletters').expect(200);
    expect(response.body.data).toEqual([
      {
        id: expect.any(String),
        slug: 'weekly',
        name: 'The Weekly Briefing',
        description: 'Hand-picked news and analysis.',
        cadence: 'weekly',
        sendDay: 'friday',
        previewUrl: 'https://www.example.org/newsletters/weekly/preview',
        privacyPolicyVersion: policy,
        privacyPolicy: null,
      },
    ]);
    await t.api
      .post('/v1/newsletters/old-digest/signups')
      .send({ email: freshEmail(), consent: true, privacyPolicyVersion: policy })
      .expect(404);
  });
});

describe('double opt-in over real SMTP', () => {
  it('signs up, mails a confirmation with one-click unsubscribe headers, confirms once, and records consent', async () => {
    const email = freshEmail();
    const response = await signup(email).expect(202);
    expect(response.body.data.status).toBe('accepted');
    const message = await mailTo(email);
    expect(message?.to && 'text' in message.to ? message.to.text : '').toBe(email);
    expect(message?.subject).toBe('Confirm your subscription to The Weekly Briefing');
    expect(message?.text).toContain('weekly, on Fridays');
    expect(rawHeader(message, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(rawHeader(message, 'List-Unsubscribe')).toMatch(
      /^<https:\/\/api\.example\.org\/v1\/newsletter-signups\/unsubscribe\?token=/,
    );
    const token = tokenFrom(message?.text, 'https://www.example.org/newsletter/confirm');
    await t.api
      .post('/v1/admin/webhooks')
      .set(bearer(editor))
      .send({ url: 'https://crm.example.org/hooks', events: ['newsletter.signup_confirmed'] })
      .expect(201);

    expect(await findSignup(email)).toMatchObject({
      status: 'pending',
      consent: {
        policyVersion: policy,
        source: 'article-footer',
        ipHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    });
    const confirmed = await t.api
      .post('/v1/newsletter-signups/confirm')
      .send({ token })
      .expect(200);
    expect(confirmed.body.data).toEqual({
      status: 'confirmed',
      newsletter: { slug: 'weekly', name: 'The Weekly Briefing' },
    });
    expect(await findSignup(email)).toMatchObject({
      status: 'confirmed',
      confirmedAt: clock.now().toISOString(),
    });

    const replay = await t.api.post('/v1/newsletter-signups/confirm').send({ token }).expect(400);
    expect(replay.headers['content-type']).toMatch(/problem\+json/);

    // The confirmation is announced once, in its own transaction, and without the address.
    const { webhookEvents } = t.app.store.tables;
    const announced = (await t.app.store.db.select().from(webhookEvents)).filter(
      (event) => event.type === 'newsletter.signup_confirmed',
    );
    expect(announced).toHaveLength(1);
    const payload = announced[0]?.payload ?? '';
    expect(JSON.parse(payload)).toMatchObject({
      type: 'newsletter.signup_confirmed',
      data: { id: expect.stringMatching(/^sub_/), newsletterId: expect.any(String) },
    });
    expect(payload).not.toContain(email);
    expect(payload).not.toContain('@');
  });

  it('unsubscribes with RFC 8058 one-click: a form POST with no credentials, idempotent', async () => {
    const email = freshEmail();
    await signup(email).expect(202);
    const message = await mailTo(email);
    const header = rawHeader(message, 'List-Unsubscribe');
    const url = new URL(header.slice(1, -1));
    for (let i = 0; i < 2; i += 1) {
      const response = await t.api
        .post(`${url.pathname}${url.search}`)
        .set('Content-Type', 'application/x-www-form-urlencoded')
        .send('List-Unsubscribe=One-Click')
        .expect(200);
      expect(response.body.data).toEqual({ status: 'unsubscribed' });
    }
    expect(await findSignup(email)).toMatchObject({
      status: 'unsubscribed',
      unsubscribedAt: clock.now().toISOString(),
    });
    const pageToken = tokenFrom(message?.text, 'https://www.example.org/newsletter/unsubscribe');
    await t.api.post('/v1/newsletter-signups/unsubscribe').send({ token: pageToken }).expect(200);
    await t.api
      .post('/v1/newsletter-signups/unsubscribe')
      .send({ token: `${pageToken.slice(0, -2)}${pageToken.endsWith('xx') ? 'yy' : 'xx'}` })
      .expect(400);
    await t.api
      .post('/v1/newsletter-signups/unsubscribe')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send('List-Unsubscribe=One-Click')
      .expect(400);
  });

  it('accepts the one-click body as multipart/form-data, as in RFC 8058’s own example', async () => {
    const email = freshEmail();
    await signup(email).expect(202);
    const message = await mailTo(email);
    const url = new URL(rawHeader(message, 'List-Unsubscribe').slice(1, -1));
    const boundary = '----broadsheet-one-click';
    const body = [
      `--${boundary}`,
      'Content-Disposition: form-data; name="List-Unsubscribe"',
      '',
      'One-Click',
      `--${boundary}--`,
      '',
    ].join('\r\n');
    const response = await t.api
      .post(`${url.pathname}${url.search}`)
      .set('Content-Type', `multipart/form-data; boundary=${boundary}`)
      .send(body)
      .expect(200);
    expect(response.body.data).toEqual({ status: 'unsubscribed' });
    expect(await findSignup(email)).toMatchObject({ status: 'unsubscribed' });
    // A file part is refused, never stored or parsed as a field.
    const withFile = [
      `--${boundary}`,
      'Content-Disposition: form-data; name="upload"; filename="x.txt"',
      'Content-Type: text/plain',
      '',
      'hello',
      `--${boundary}--`,
      '',
    ].join('\r\n');
    const refused = await t.api
      .post(`${url.pathname}${url.search}`)
      .set('Content-Type', `multipart/form-data; boundary=${boundary}`)
      .send(withFile);
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.status).toBeLessThan(500);
  });

  it('sends a browser’s plain form post on to the site with 303; JSON clients keep 202 and problems', async () => {
    const form = (fields: Record<string, string>) =>
      t.api
        .post('/v1/newsletters/weekly/signups')
        .set('Content-Type', 'application/x-www-form-urlencoded')
        .set('Accept', 'text/html,application/xhtml+xml,*/*;q=0.8')
        .send(new URLSearchParams(fields).toString());
    const thanks = await form({
      email: freshEmail(),
      consent: 'true',
      privacyPolicyVersion: policy,
    }).expect(303);
    expect(thanks.headers.location).toBe('https://www.example.org/newsletter/thanks');
    expect(thanks.text).toBe('');
    const refused = await form({
      email: 'not-an-address',
      consent: 'true',
      privacyPolicyVersion: policy,
    }).expect(303);
    expect(refused.headers.location).toBe(
      'https://www.example.org/newsletter/error?reason=invalid-email',
    );
    const noConsent = await form({ email: freshEmail(), privacyPolicyVersion: policy }).expect(303);
    expect(noConsent.headers.location).toContain('reason=consent-required');
    const unknown = await t.api
      .post('/v1/newsletters/nope/signups')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .set('Accept', 'text/html')
      .send(
        new URLSearchParams({
          email: freshEmail(),
          consent: 'true',
          privacyPolicyVersion: policy,
        }).toString(),
      )
      .expect(303);
    expect(unknown.headers.location).toMatch(/reason=not-found$/);
    // A script posting the same form without asking for HTML, and JSON clients, get the API answers.
    await t.api
      .post('/v1/newsletters/weekly/signups')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send(
        new URLSearchParams({
          email: freshEmail(),
          consent: 'true',
          privacyPolicyVersion: policy,
        }).toString(),
      )
      .expect(202);
    await signup(freshEmail()).set('Accept', 'text/html').expect(202);
    await signup('not-an-address').set('Accept', 'text/html').expect(400);
  });

  it('expires confirmation links after 48 hours', async () => {
    const email = freshEmail();
    await signup(email).expect(202);
    const message = await mailTo(email);
    clock.advance(48 * 3_600_000 + 1);
    const expired = await t.api
      .post('/v1/newsletter-signups/confirm')
      .send({ token: tokenFrom(message?.text, '/newsletter/confirm') })
      .expect(410);
    expect(expired.body.detail).toMatch(/expired/);
  });

  it('accepts a plain HTML form post', async () => {
    const email = freshEmail();
    await t.api
      .post('/v1/newsletters/weekly/signups')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send(
        new URLSearchParams({
          email,
          consent: 'true',
          privacyPolicyVersion: policy,
          source: 'html-form',
          website: '',
        }).toString(),
      )
      .expect(202);
    expect(await findSignup(email)).toMatchObject({
      status: 'pending',
      consent: { source: 'html-form' },
    });
  });
});

describe('no enumeration', () => {
  it('answers new, pending, confirmed and unsubscribed addresses with byte-identical responses', async () => {
    const pending = freshEmail();
    const confirmed = freshEmail();
    const unsubscribed = freshEmail();
    for (const email of [pending, confirmed, unsubscribed]) await signup(email).expect(202);
    await t.api
      .post('/v1/newsletter-signups/confirm')
      .send({ token: tokenFrom((await mailTo(confirmed)).text, '/newsletter/confirm') })
      .expect(200);
    await t.api
      .post('/v1/newsletter-signups/unsubscribe')
      .send({ token: tokenFrom((await mailTo(unsubscribed)).text, '/newsletter/unsubscribe') })
      .expect(200);

    const answers = [];
    for (const email of [freshEmail(), pending, confirmed, unsubscribed]) {
      const response = await signup(email);
      // The rate-limit budget is the client's, counted down per request, not the address's.
      const { date: _date, 'x-request-id': _id, ratelimit: _budget, ...headers } = response.headers;
      answers.push({ status: response.status, body: response.text, headers });
    }
    for (const answer of answers.slice(1)) expect(answer).toEqual(answers[0]);
  });
});

describe('consent validation', () => {
  it.each([
    [{ consent: false }, 'body.consent'],
    [{ consent: 'yes' }, 'body.consent'],
    [{ consent: undefined }, 'body.consent'],
    [{ privacyPolicyVersion: 'privacy-policy@2' }, 'body.privacyPolicyVersion'],
    [{ email: 'not-an-address' }, 'body.email'],
    [{ email: 'someone@example.org\r\nBcc: victim@example.org' }, 'body.email'],
    [{ email: 'throwaway@mailinator.com' }, 'body.email'],
    [{ extra: 'field' }, 'body.extra'],
  ])('%j → 400 naming %s', async (override, path) => {
    const body = { email: freshEmail(), consent: true, privacyPolicyVersion: policy, ...override };
    const response = await t.api.post('/v1/newsletters/weekly/signups').send(body).expect(400);
    expect((response.body.errors as Array<{ path: string }>).map((error) => error.path)).toContain(
      path,
    );
  });
});

describe('abuse defences', () => {
  it('drops a filled honeypot silently: same 202, nothing stored, nothing sent', async () => {
    await settle(); // let earlier tests' deliveries land first
    const email = freshEmail();
    const before = smtp.messages.length;
    const response = await signup(email, { website: 'https://spam.example' }).expect(202);
    expect(response.body.data.status).toBe('accepted');
    await settle();
    expect(smtp.messages.length).toBe(before);
    expect(await findSignup(email)).toBeUndefined();
  });

  it('mails an address at most once a day however often it signs up', async () => {
    const email = freshEmail();
    const mailsTo = () =>
      smtp.messages.filter((m) => m.to !== undefined && 'text' in m.to && m.to.text === email)
        .length;
    for (let i = 0; i < 3; i += 1) await signup(email).expect(202);
    await mailTo(email);
    await settle();
    expect(mailsTo()).toBe(1);
    clock.advance(24 * 3_600_000);
    await signup(email).expect(202);
    await settle(300);
    expect(mailsTo()).toBe(2);
  });

  it('never logs an email address', () => {
    expect(logs.text).toContain('email sent');
    expect(logs.text).not.toMatch(/reader\d+@/);
    expect(logs.text).not.toContain('someone@example.org');
  });
});

describe('rate limits', () => {
  it('limits signups per client address with 429 and Retry-After, ignoring X-Forwarded-For without TRUST_PROXY', async () => {
    const limited = await createTestApp({ now: clock.now, config: { signupRateLimit: 2 } });
    await limited.app.services.newsletters.create({
      name: 'Weekly',
      slug: 'weekly',
      cadence: 'weekly',
      privacyPolicyVersion: policy,
    });
    const post = (ip: string) =>
      limited.api
        .post('/v1/newsletters/weekly/signups')
        .set('X-Forwarded-For', ip)
        .send({ email: freshEmail(), consent: true, privacyPolicyVersion: policy });
    await post('203.0.113.1').expect(202);
    await post('203.0.113.2').expect(202);
    const blocked = await post('203.0.113.3').expect(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.headers['content-type']).toMatch(/problem\+json/);
    clock.advance(60_000);
    await post('203.0.113.4').expect(202);
    await limited.close();
  });

  it('keys on the forwarded client address when TRUST_PROXY is configured', async () => {
    const proxied = await createTestApp({
      now: clock.now,
      config: { signupRateLimit: 1, trustProxy: true },
    });
    await proxied.app.services.newsletters.create({
      name: 'Weekly',
      slug: 'weekly',
      cadence: 'weekly',
      privacyPolicyVersion: policy,
    });
    const post = (ip: string) =>
      proxied.api
        .post('/v1/newsletters/weekly/signups')
        .set('X-Forwarded-For', ip)
        .send({ email: freshEmail(), consent: true, privacyPolicyVersion: policy });
    await post('198.51.100.1').expect(202);
    await post('198.51.100.2').expect(202);
    await post('198.51.100.1').expect(429);
    await proxied.close();
  });

  it('caps confirmation emails per hour across all addresses, still answering 202', async () => {
    const server = await startSmtpServer();
    const capped = await createTestApp({
      now: clock.now,
      config: { smtpUrl: server.url, signupConfirmationsPerHour: 2 },
    });
    await capped.app.services.newsletters.create({
      name: 'Weekly',
      slug: 'weekly',
      cadence: 'weekly',
      privacyPolicyVersion: policy,
    });
    for (let i = 0; i < 4; i += 1) {
      await capped.api
        .post('/v1/newsletters/weekly/signups')
        .send({ email: freshEmail(), consent: true, privacyPolicyVersion: policy })
        .expect(202);
    }
    await settle(300);
    expect(server.messages).toHaveLength(2);
    await capped.close();
    await server.close();
  });
});

describe('delivery', () => {
  it('retries a failed send and delivers after the 202', async () => {
    const flaky = await startSmtpServer({ failFirst: 2 });
    const app = await createTestApp({
      now: clock.now,
      config: { smtpUrl: flaky.url, mailRetryDelayMs: 20 },
    });
    await app.app.services.newsletters.create({
      name: 'Weekly',
      slug: 'weekly',
      cadence: 'weekly',
      privacyPolicyVersion: policy,
    });
    await app.api
      .post('/v1/newsletters/weekly/signups')
      .send({ email: freshEmail(), consent: true, privacyPolicyVersion: policy })
      .expect(202);
    await flaky.waitForMessages(1);
    expect(flaky.attempts()).toBe(3);
    await app.close();
    await flaky.close();
  });

  it('logs the message with the address redacted when no SMTP server is configured', async () => {
    const captured = new LogCapture();
    const app = await createTestApp({ now: clock.now, logs: captured });
    await app.app.services.newsletters.create({
      name: 'Weekly',
      slug: 'weekly',
      cadence: 'weekly',
      privacyPolicyVersion: policy,
    });
    await app.api
      .post('/v1/newsletters/weekly/signups')
      .send({ email: 'private.reader@example.net', consent: true, privacyPolicyVersion: policy })
      .expect(202);
    await settle();
    expect(captured.text).toContain('[redacted]@example.net');
    expect(captured.text).toContain('/newsletter/confirm?token=');
    expect(captured.text).not.toContain('private.reader');
    await app.close();
  });
});
