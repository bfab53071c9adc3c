import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../src/app.ts';
import { signWebhook } from '../src/lib/standard-webhooks.ts';
import { logChange } from '../src/modules/shared/change-log.ts';
import { isPublicAddress } from '../src/lib/public-address.ts';
import {
  bearer,
  createTestApp,
  manualClock,
  type Received,
  receiver,
  samplePhoto,
  type TestApp,
  testConfig,
} from './helpers.ts';

// Webhooks from the transactional outbox, against a loopback receiver that checks every attempt
// with the `standardwebhooks` package (an independent implementation of the spec). The relay
// runs when the test says (deliverDue), on the test's clock.

/**
 * The body, if the signature verifies. The package also refuses a timestamp more than 5 minutes
 * from its clock: the relay signs with the test's clock, which the scheduling tests move hours
 * ahead, so the package is shown that clock.
 */
function verified(secret: string, message: Received) {
  const signedAt = Number(message.headers['webhook-timestamp']) * 1000;
  const clock = vi.spyOn(Date, 'now').mockReturnValue(signedAt);
  try {
    return new Webhook(secret).verify(message.body, {
      'webhook-id': String(message.headers['webhook-id']),
      'webhook-timestamp': String(message.headers['webhook-timestamp']),
      'webhook-signature': String(message.headers['webhook-signature']),
    }) as { type: string; data: Record<string, unknown> };
  } finally {
    clock.mockRestore();
  }
}

let t: TestApp | undefined;
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await t?.close();
  t = undefined;
});

async function setUp(options: { allowPrivate?: boolean; timeoutMs?: number } = {}) {
  const clock = manualClock(new Date());
  t = await createTestApp({
    now: clock.now,
    config: {
      webhooksAllowPrivateTargets: options.allowPrivate ?? true,
      webhookTimeoutMs: options.timeoutMs ?? 2_000,
      // The test runs the relay itself.
      webhookRelay: false,
    },
  });
  const hook = await receiver();
  closers.push(hook.close);
  const editor = bearer(await t.token('editor'));
  const app = t;
  const subscribe = async (events: string[] = ['article.*'], url = hook.url) =>
    (await app.api.post('/v1/admin/webhooks').set(editor).send({ url, events }).expect(201)).body
      .data as { id: string; secret: string };
  const draft = async (headline = 'Ministers meet in Moscow') =>
    (
      await app.api
        .post('/v1/admin/articles')
        .set(editor)
        .send({ headline, body: 'Talks on a road map.' })
        .expect(201)
    ).body.data as { id: string; version: number };
  const publish = async (id: string, version: number, publishedAt?: string) =>
    (
      await app.api
        .post(`/v1/admin/articles/${id}/publish`)
        .set(editor)
        .set('If-Match', `"${version}"`)
        .send(publishedAt === undefined ? {} : { publishedAt })
        .expect(200)
    ).body.data as { id: string; version: number; slug: string };
  const deliveries = async (endpointId: string) =>
    (await app.api.get(`/v1/admin/webhooks/${endpointId}/deliveries`).set(editor).expect(200)).body
      .data as Array<{
      id: string;
      eventType: string;
      status: string;
      attempts: number;
      nextAttemptAt: string | null;
      lastResponseStatus: number | null;
      lastError: string | null;
      attemptLog: Array<{ attempt: number; responseStatus: number | null; error: string | null }>;
    }>;
  const relay = app.app.services.webhooks.relay;
  return { t: app, clock, hook, editor, subscribe, draft, publish, deliveries, relay };
}

describe('signing', () => {
  it('reproduces the Standard Webhooks test vector', () => {
    expect(
      signWebhook(
        'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        'msg_p5jXN8AQM9LWM0D4loKWxJek',
        1614265330,
        '{"test": 2432232314}',
      ),
    ).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('classes addresses: public unicast only', () => {
    expect(['93.184.216.34', '2606:2800:220:1::1'].map(isPublicAddress)).toEqual([true, true]);
    expect(
      [
        '127.0.0.1',
        '10.1.2.3',
        '172.16.0.1',
        '192.168.1.1',
        '169.254.169.254',
        '100.64.0.1',
        '0.0.0.0',
        '::1',
        'fc00::1',
        'fe80::1',
        '::ffff:127.0.0.1',
        'not an address',
      ].map(isPublicAddress),
    ).toEqual(Array.from({ length: 12 }, () => false));
  });
});

describe('webhook endpoints', () => {
  it('shows the secret once, never in reads, and refuses what it must', async () => {
    const { t: app, editor, subscribe } = await setUp({ allowPrivate: false });
    const bad = await app.api
      .post('/v1/admin/webhooks')
      .set(editor)
      .send({ url: 'http://hooks.example.org/in', events: ['article.nonsense'] })
      .expect(400);
    expect(bad.body.errors.map((error: { path: string }) => error.path)).toContain('body.events.0');
    const insecure = await app.api
      .post('/v1/admin/webhooks')
      .set(editor)
      .send({ url: 'http://hooks.example.org/in', events: ['article.*'] })
      .expect(400);
    expect(insecure.body.errors).toEqual([{ path: 'body.url', message: 'Must be an https URL.' }]);
    await app.api
      .post('/v1/admin/webhooks')
      .set(editor)
      .send({ url: 'https://user:pw@hooks.example.org/in', events: ['article.*'] })
      .expect(400);
    const created = await subscribe(['article.published'], 'https://hooks.example.org/in');
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    const read = await app.api.get(`/v1/admin/webhooks/${created.id}`).set(editor).expect(200);
    expect(JSON.stringify(read.body)).not.toContain(created.secret);
    const listed = await app.api.get('/v1/admin/webhooks').set(editor).expect(200);
    expect(JSON.stringify(listed.body)).not.toContain('whsec_');
    await app.api
      .get('/v1/admin/webhooks')
      .set(bearer(await app.token('writer')))
      .expect(403);
  });
});

describe('delivery', () => {
  it('announces a publication once committed, signed, with the same webhook-id on every attempt', async () => {
    const { hook, subscribe, draft, publish, deliveries, relay, clock } = await setUp();
    const endpoint = await subscribe();
    const story = await draft();
    // A draft announces nothing.
    expect(await relay.deliverDue()).toBe(0);
    hook.replies.push({ status: 500 });
    const published = await publish(story.id, story.version);
    expect(await relay.deliverDue()).toBe(1);
    clock.advance(6_000);
    expect(await relay.deliverDue()).toBe(1);
    expect(hook.received).toHaveLength(2);
    const [first, second] = hook.received.map((message) => verified(endpoint.secret, message));
    expect(first).toEqual(second);
    expect(first).toMatchObject({
      type: 'article.published',
      data: { id: story.id, slug: published.slug, version: published.version },
    });
    expect((first?.data.surrogateKeys as string[]).includes(`article:${story.id}`)).toBe(true);
    expect(hook.received[0]?.headers['webhook-id']).toBe(hook.received[1]?.headers['webhook-id']);
    const [delivery] = await deliveries(endpoint.id);
    expect(delivery).toMatchObject({
      status: 'succeeded',
      attempts: 2,
      eventType: 'article.published',
    });
    expect(delivery?.attemptLog.map((attempt) => attempt.responseStatus)).toEqual([500, 204]);
  });

  it('announces authors, tags, photos and pages, each with the keys it made stale', async () => {
    const { t, hook, editor, subscribe, relay } = await setUp();
    const endpoint = await subscribe(['author.*', 'tag.*', 'photo.updated', 'page.*']);
    const author = (
      await t.api.post('/v1/admin/authors').set(editor).send({ name: 'Ivan Petrov' }).expect(201)
    ).body.data as { id: string; slug: string };
    await t.api
      .patch(`/v1/admin/authors/${author.id}`)
      .set(editor)
      .send({ bio: 'Diplomatic correspondent.' })
      .expect(200);
    const tag = (
      await t.api.post('/v1/admin/tags').set(editor).send({ name: 'Diplomacy' }).expect(201)
    ).body.data as { id: string; slug: string };
    await t.api.delete(`/v1/admin/tags/${tag.id}`).set(editor).expect(204);
    const photo = (await t.api.post('/v1/admin/photos').set(editor).send(samplePhoto).expect(201))
      .body.data as { id: string };
    await t.api
      .patch(`/v1/admin/photos/${photo.id}`)
      .set(editor)
      .send({ caption: 'The ministers before the talks.' })
      .expect(200);
    // A draft page announces nothing; publishing it and unpublishing it do.
    const page = (
      await t.api
        .post('/v1/admin/pages')
        .set(editor)
        .send({ title: 'Corrections policy', body: 'How we correct.', status: 'draft' })
        .expect(201)
    ).body.data as { id: string; slug: string };
    await t.api
      .patch(`/v1/admin/pages/${page.id}`)
      .set(editor)
      .send({ status: 'published' })
      .expect(200);
    await t.api
      .patch(`/v1/admin/pages/${page.id}`)
      .set(editor)
      .send({ status: 'draft' })
      .expect(200);
    expect(await relay.deliverDue()).toBe(7);
    const events = hook.received
      .map((message) => verified(endpoint.secret, message))
      .map((event) => ({ type: event.type, id: event.data.id, keys: event.data.surrogateKeys }))
      .sort((a, b) => a.type.localeCompare(b.type));
    expect(events).toEqual(
      [
        { type: 'author.created', id: author.id, keys: ['authors'] },
        {
          type: 'author.updated',
          id: author.id,
          keys: expect.arrayContaining([`author:${author.id}`]),
        },
        { type: 'tag.created', id: tag.id, keys: ['tags'] },
        { type: 'tag.deleted', id: tag.id, keys: expect.arrayContaining([`tag:${tag.id}`]) },
        {
          type: 'photo.updated',
          id: photo.id,
          keys: expect.arrayContaining([`photo:${photo.id}`]),
        },
        { type: 'page.published', id: page.id, keys: expect.arrayContaining([`page:${page.id}`]) },
        {
          type: 'page.unpublished',
          id: page.id,
          keys: expect.arrayContaining([`page:${page.id}`]),
        },
      ].sort((a, b) => a.type.localeCompare(b.type)),
    );
    // Every body is what the document's `webhooks` promise for its event.
    const document = (await t.api.get('/openapi.json').expect(200)).body as object;
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    ajv.addSchema(document, 'openapi');
    for (const message of hook.received) {
      const { type } = JSON.parse(message.body) as { type: string };
      const validate = ajv.getSchema(
        `openapi#/webhooks/${type}/post/requestBody/content/application~1json/schema`,
      );
      expect(validate?.(JSON.parse(message.body)), JSON.stringify(validate?.errors)).toBe(true);
    }
    const created = hook.received.find((message) => message.body.includes('author.created'));
    expect(created === undefined ? undefined : JSON.parse(created.body).data).toMatchObject({
      slug: author.slug,
    });
  });

  it('sends nothing for a write that rolled back', async () => {
    const { t: app, hook, subscribe, relay } = await setUp();
    await subscribe();
    const { store } = app.app;
    await expect(
      store.write(async (tx) => {
        await logChange(store, tx, ['articles'], new Date(), {
          events: [
            {
              type: 'article.updated',
              subjectId: 'art_x',
              occurredAt: new Date(),
              data: { id: 'art_x', occurredAt: new Date().toISOString(), surrogateKeys: [] },
            },
          ],
        });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await relay.deliverDue()).toBe(0);
    expect(hook.received).toEqual([]);
    const { webhookEvents } = store.tables;
    expect(await store.db.select().from(webhookEvents)).toEqual([]);
  });

  it('announces a scheduled article at its time, once, and withdraws it when rescheduled', async () => {
    const { hook, subscribe, draft, publish, deliveries, relay, clock } = await setUp();
    const endpoint = await subscribe(['article.published']);
    const story = await draft();
    const inAnHour = new Date(clock.now().getTime() + 3_600_000);
    const scheduled = await publish(story.id, story.version, inAnHour.toISOString());
    expect(await relay.deliverDue()).toBe(0);
    // Moved to two hours from now: the first announcement is withdrawn, a new one waits.
    const inTwoHours = new Date(clock.now().getTime() + 7_200_000);
    await publish(story.id, scheduled.version, inTwoHours.toISOString());
    clock.advance(3_600_000 + 1_000);
    expect(await relay.deliverDue()).toBe(0);
    expect(hook.received).toEqual([]);
    clock.advance(3_600_000);
    expect(await relay.deliverDue()).toBe(1);
    expect(await relay.deliverDue()).toBe(0);
    expect(hook.received).toHaveLength(1);
    const body = verified(endpoint.secret, hook.received[0] as Received);
    expect(body).toMatchObject({
      type: 'article.published',
      data: { id: story.id, publishedAt: inTwoHours.toISOString() },
    });
    expect((await deliveries(endpoint.id)).map((each) => each.status).sort()).toEqual([
      'cancelled',
      'succeeded',
    ]);
  });

  it('follows the retry schedule, honours Retry-After, follows no redirect, and disables on 410', async () => {
    const {
      t: app,
      editor,
      hook,
      subscribe,
      draft,
      publish,
      deliveries,
      relay,
      clock,
    } = await setUp();
    const endpoint = await subscribe(['article.published']);
    const story = await draft();
    hook.replies.push(
      { status: 302, headers: { location: `${hook.url}/elsewhere` } },
      { status: 429, headers: { 'retry-after': '120' } },
      { status: 410 },
    );
    await publish(story.id, story.version);
    await relay.deliverDue();
    let [delivery] = await deliveries(endpoint.id);
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1, lastResponseStatus: 302 });
    const firstWait = Date.parse(delivery?.nextAttemptAt ?? '') - clock.now().getTime();
    expect(firstWait).toBeGreaterThanOrEqual(5_000);
    expect(firstWait).toBeLessThanOrEqual(5_500);
    // Not due yet.
    clock.advance(4_000);
    expect(await relay.deliverDue()).toBe(0);
    clock.advance(2_000);
    await relay.deliverDue();
    [delivery] = await deliveries(endpoint.id);
    expect(delivery).toMatchObject({ attempts: 2, lastResponseStatus: 429 });
    const secondWait = Date.parse(delivery?.nextAttemptAt ?? '') - clock.now().getTime();
    // The schedule says 5 minutes; the receiver asked for 120 s, which is shorter.
    expect(secondWait).toBeGreaterThanOrEqual(300_000);
    clock.advance(340_000);
    await relay.deliverDue();
    [delivery] = await deliveries(endpoint.id);
    expect(delivery).toMatchObject({ status: 'failed', attempts: 3, lastResponseStatus: 410 });
    expect(hook.received).toHaveLength(3);
    const read = await app.api.get(`/v1/admin/webhooks/${endpoint.id}`).set(editor).expect(200);
    expect(read.body.data).toMatchObject({ enabled: false, disabledReason: 'gone' });
    // Re-enabled by an editor.
    const again = await app.api
      .patch(`/v1/admin/webhooks/${endpoint.id}`)
      .set(editor)
      .send({ enabled: true })
      .expect(200);
    expect(again.body.data).toMatchObject({ enabled: true, disabledReason: null });
  });

  it('records a receiver that does not answer in time', async () => {
    const { hook, subscribe, draft, publish, deliveries, relay } = await setUp({ timeoutMs: 300 });
    const endpoint = await subscribe(['article.published']);
    hook.replies.push({ status: 200, delayMs: 1_500 });
    const story = await draft();
    await publish(story.id, story.version);
    await relay.deliverDue();
    const [delivery] = await deliveries(endpoint.id);
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1, lastResponseStatus: null });
    expect(delivery?.lastError).toMatch(/within 300 ms/);
  });

  it('redelivers with the same webhook-id, sends a test event, and signs with both secrets after a rotation', async () => {
    const { t: app, editor, hook, subscribe, draft, publish, deliveries, relay } = await setUp();
    const endpoint = await subscribe(['article.*']);
    const story = await draft();
    await publish(story.id, story.version);
    await relay.deliverDue();
    const [delivered] = await deliveries(endpoint.id);
    await app.api
      .post(`/v1/admin/webhooks/${endpoint.id}/deliveries/${delivered?.id}/redeliver`)
      .set(editor)
      .expect(202);
    const rotated = (
      await app.api.post(`/v1/admin/webhooks/${endpoint.id}/rotate-secret`).set(editor).expect(200)
    ).body.data as { secret: string };
    await app.api.post(`/v1/admin/webhooks/${endpoint.id}/test`).set(editor).expect(202);
    await relay.deliverDue();
    expect(hook.received).toHaveLength(3);
    // The copy and the test were due at the same moment: either may go first.
    const [original, ...later] = hook.received as [Received, Received, Received];
    const typeOf = (message: Received) => (JSON.parse(message.body) as { type: string }).type;
    const copy = later.find((message) => typeOf(message) === 'article.published');
    const test = later.find((message) => typeOf(message) === 'webhook.test');
    if (copy === undefined || test === undefined) throw new Error('a delivery is missing');
    expect(copy.headers['webhook-id']).toBe(original.headers['webhook-id']);
    // After the rotation both the old and the new secret verify.
    expect(verified(rotated.secret, test).type).toBe('webhook.test');
    expect(verified(endpoint.secret, test).type).toBe('webhook.test');
    expect(String(test.headers['webhook-signature']).split(' ')).toHaveLength(2);
    await app.api
      .post(`/v1/admin/webhooks/${endpoint.id}/deliveries/dlv_00000000000000000000000000/redeliver`)
      .set(editor)
      .expect(404);
  });
});

describe('targets', () => {
  it('refuses private, loopback and rebinding names at send time, after DNS', async () => {
    const names: Record<string, string[]> = {
      'internal.example': ['10.0.0.7'],
      'rebind.example': ['93.184.216.34', '127.0.0.1'],
      'metadata.example': ['169.254.169.254'],
    };
    const clock = manualClock(new Date());
    const database = await import('./helpers.ts').then((helpers) => helpers.freshDatabase());
    const app = await buildApp({
      config: testConfig({ ...database.config, webhookRelay: false }),
      now: clock.now,
      resolveHost: async (hostname) => names[hostname] ?? [],
    });
    await app.ready();
    closers.push(async () => {
      await app.close();
      await database.remove();
    });
    const { token } = await app.services.tokens.create({ name: 'e', role: 'editor' }, null);
    const editor = { authorization: `Bearer ${token}` };
    for (const host of [...Object.keys(names), '127.0.0.1']) {
      const created = await app.inject({
        method: 'POST',
        url: '/v1/admin/webhooks',
        headers: editor,
        payload: { url: `https://${host}/hooks`, events: ['article.*'] },
      });
      expect(created.statusCode, created.body).toBe(201);
      const id = (created.json() as { data: { id: string } }).data.id;
      await app.inject({ method: 'POST', url: `/v1/admin/webhooks/${id}/test`, headers: editor });
    }
    await app.services.webhooks.relay.deliverDue();
    const listed = await app.inject({ url: '/v1/admin/webhooks', headers: editor });
    for (const endpoint of (listed.json() as { data: Array<{ id: string; url: string }> }).data) {
      const log = await app.inject({
        url: `/v1/admin/webhooks/${endpoint.id}/deliveries`,
        headers: editor,
      });
      const [delivery] = (log.json() as { data: Array<{ lastError: string }> }).data;
      expect(delivery?.lastError, endpoint.url).toMatch(/^Refused: .* non-public address/);
    }
  });
});

describe('several instances', () => {
  it('deliver each event once per endpoint when their relays run at the same time', async () => {
    const hook = await receiver();
    closers.push(hook.close);
    const { freshDatabase } = await import('./helpers.ts');
    const database = await freshDatabase();
    const config = testConfig({
      ...database.config,
      webhooksAllowPrivateTargets: true,
      webhookRelay: false,
    });
    const [first, second] = await Promise.all([buildApp({ config }), buildApp({ config })]);
    if (first === undefined || second === undefined) throw new Error('no apps');
    await Promise.all([first.ready(), second.ready()]);
    closers.push(async () => {
      await Promise.all([first.close(), second.close()]);
      await database.remove();
    });
    const { token } = await first.services.tokens.create({ name: 'e', role: 'editor' }, null);
    const editor = { authorization: `Bearer ${token}` };
    for (let index = 0; index < 3; index += 1) {
      const created = await first.inject({
        method: 'POST',
        url: '/v1/admin/webhooks',
        headers: editor,
        payload: { url: hook.url, events: ['article.*'] },
      });
      expect(created.statusCode).toBe(201);
    }
    for (let index = 0; index < 10; index += 1) {
      const draft = await first.inject({
        method: 'POST',
        url: '/v1/admin/articles',
        headers: editor,
        payload: { headline: `Story ${index}`, body: 'Text.' },
      });
      const { id } = (draft.json() as { data: { id: string } }).data;
      const published = await second.inject({
        method: 'POST',
        url: `/v1/admin/articles/${id}/publish`,
        headers: { ...editor, 'if-match': '"1"' },
        payload: {},
      });
      expect(published.statusCode).toBe(200);
    }
    await Promise.all([
      first.services.webhooks.relay.deliverDue(),
      second.services.webhooks.relay.deliverDue(),
      first.services.webhooks.relay.deliverDue(),
      second.services.webhooks.relay.deliverDue(),
    ]);
    // 10 events × 3 endpoints, each exactly once.
    expect(hook.received).toHaveLength(30);
    const deliveredIds = hook.received.map((message) => `${String(message.headers['webhook-id'])}`);
    expect(new Set(deliveredIds).size).toBe(10);
  });
});
