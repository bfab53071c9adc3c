import { readFileSync } from 'node:fs';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import {
  bearer,
  freshDatabase,
  fromTimers,
  manualClock,
  onPostgres,
  openTestStore,
  testConfig,
} from './helpers.ts';

const clock = manualClock(new Date('2026-11-28T09:00:00.000Z'));
let statements: string[] = [];
const database = await freshDatabase();
const store = await openTestStore(database, {
  // The app's timers (the change feed, the photo checks) are no part of any request.
  onQuery: (sql) => {
    if (!fromTimers(sql)) statements.push(sql);
  },
});
let app: Awaited<ReturnType<typeof buildApp>>;
let api: ReturnType<typeof supertest>;
let editor: string;
let newsletterId: string;
const policy = 'privacy-policy@3';

beforeAll(async () => {
  app = await buildApp({ config: testConfig({ signupRateLimit: 1000 }), store, now: clock.now });
  await app.ready();
  api = supertest(app.server);
  editor = (await app.services.tokens.create({ name: 'editor', role: 'editor' }, null)).token;
  newsletterId = (
    await app.services.newsletters.create({
      name: 'Weekly',
      slug: 'weekly',
      cadence: 'weekly',
      sendDay: 'friday',
      privacyPolicyVersion: policy,
    })
  ).id;
});
afterAll(async () => {
  await app.close();
  await store.close();
  await database.remove();
});

describe('signup export', () => {
  it('streams every signup with its consent fields as CSV, in batches, formula-safe', async () => {
    const total = 2500;
    await store.write(async (tx) => {
      const at = clock.now().getTime();
      const rows = Array.from({ length: total }, (_, i) => ({
        id: `sub_${String(i).padStart(26, '0')}`,
        newsletterId,
        email: `bulk${i}@example.org`,
        status: i % 2 === 0 ? ('confirmed' as const) : ('pending' as const),
        consentPolicyVersion: policy,
        consentedAt: new Date(at + i),
        consentSource: i === 7 ? '=HYPERLINK("http://evil.example")' : 'footer, "main"',
        ipHash: 'ab'.repeat(32),
        createdAt: new Date(at + i),
        updatedAt: new Date(at + i),
      }));
      for (let i = 0; i < rows.length; i += 500)
        await tx.insert(store.tables.newsletterSignups).values(rows.slice(i, i + 500));
    });
    statements = [];
    const response = await api
      .get('/v1/admin/newsletters/weekly/signups.csv')
      .set(bearer(editor))
      .buffer(true)
      .parse((res, done) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        res.on('end', () => done(null, text));
      })
      .expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv/);
    expect(response.headers['transfer-encoding']).toBe('chunked');
    expect(response.headers['cache-control']).toBe('no-store');
    const lines = (response.body as string).trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'id,email,status,consent_policy_version,consented_at,consent_source,ip_hash,confirmed_at,unsubscribed_at,created_at',
    );
    expect(lines).toHaveLength(total + 1);
    expect(lines[1]).toMatch(
      /^sub_0+,bulk0@example\.org,confirmed,privacy-policy@3,2026-11-28T09:00:00\.000Z,"footer, ""main""",a/,
    );
    expect(lines[8]).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
    // Fetched 1,000 rows at a time, never all at once.
    const batches = statements.filter(
      (sql) => sql.includes('from "newsletter_signups"') && sql.includes('limit'),
    );
    expect(batches.length).toBe(3);
  });

  it('lists and filters signups by status with a total', async () => {
    const confirmed = await api
      .get('/v1/admin/newsletters/weekly/signups?status=confirmed&limit=5')
      .set(bearer(editor))
      .expect(200);
    expect(confirmed.body.meta).toMatchObject({
      limit: 5,
      total: 1250,
      nextCursor: expect.any(String),
    });
    expect(
      (confirmed.body.data as Array<{ status: string }>).every(
        (signup) => signup.status === 'confirmed',
      ),
    ).toBe(true);
    await api.get('/v1/admin/newsletters/nope/signups').set(bearer(editor)).expect(404);
  });
});

describe('erasure', () => {
  it('removes the address and IP hashes for good, keeping an anonymous tombstone', async () => {
    const email = 'erase.me.please@example.org';
    clock.advance(60_000);
    await api
      .post('/v1/newsletters/weekly/signups')
      .send({ email, consent: true, privacyPolicyVersion: policy, source: 'footer' })
      .expect(202);
    const listed = await api
      .get('/v1/admin/newsletters/weekly/signups?status=pending&limit=1')
      .set(bearer(editor))
      .expect(200);
    const signup = (listed.body.data as Array<{ id: string; email: string }>)[0];
    expect(signup?.email).toBe(email);

    await api.delete(`/v1/admin/newsletter-signups/${signup?.id}`).set(bearer(editor)).expect(204);
    await api.delete(`/v1/admin/newsletter-signups/${signup?.id}`).set(bearer(editor)).expect(204);
    await api
      .delete('/v1/admin/newsletter-signups/sub_zzzzzzzzzzzzzzzzzzzzzzzzzz')
      .set(bearer(editor))
      .expect(404);
    const erased = await api
      .get('/v1/admin/newsletters/weekly/signups?status=erased')
      .set(bearer(editor))
      .expect(200);
    expect(erased.body.data).toEqual([
      expect.objectContaining({
        id: signup?.id,
        email: null,
        status: 'erased',
        consent: expect.objectContaining({ ipHash: null, source: null }),
      }),
    ]);
    const events = await store.db.select().from(store.tables.newsletterConsentEvents);
    expect(
      events
        .filter((event) => event.signupId === signup?.id)
        .map((event) => [event.event, event.ipHash]),
    ).toEqual([
      ['consent', null],
      ['erase', null],
    ]);

    // Not in the SQLite file either (secure_delete, and the WAL checkpointed on close). See
    // README "Running on PostgreSQL" for what VACUUM does and does not promise there.
    await app.close();
    await store.close();
    if (!onPostgres)
      expect(readFileSync(database.config.databasePath).includes(Buffer.from(email))).toBe(false);
  });
});
