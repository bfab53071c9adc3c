import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { ConfigError, loadConfig } from '../src/config.ts';
import {
  bearer,
  createTestApp,
  manualClock,
  publishArticleWith,
  receiver,
  type TestApp,
  testConfig,
} from './helpers.ts';

// CDN purges from the webhook outbox, against loopback servers standing in for the Fastly and
// Cloudflare APIs: the same events, retries and delivery log as webhooks, each attempt a purge
// of the event's surrogate keys authorised by a token only the environment holds.

const fastlyToken = 'fastly-token-never-shown';
const cloudflareToken = 'cloudflare-token-never-shown';

let t: TestApp | undefined;
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await t?.close();
  t = undefined;
});

async function setUp() {
  const fastly = await receiver();
  const cloudflare = await receiver();
  closers.push(fastly.close, cloudflare.close);
  const clock = manualClock();
  const origin = (url: string) => new URL(url).origin;
  t = await createTestApp({
    now: clock.now,
    config: {
      fastlyServiceId: 'SU1Z0isxPaozGVKXdv0eY',
      fastlyApiToken: fastlyToken,
      fastlyApiUrl: origin(fastly.url),
      cloudflareZoneId: '023e105f4ecef8ad9ca31a8372d0c353',
      cloudflareApiToken: cloudflareToken,
      cloudflareApiUrl: `${origin(cloudflare.url)}/client/v4`,
    },
  });
  const editor = await t.token('editor');
  return { app: t, clock, editor, fastly, cloudflare, relay: t.app.services.webhooks.relay };
}

type Endpoint = { id: string; kind: string; url: string; enabled: boolean };

async function purgeEndpoints(app: TestApp, editor: string): Promise<Endpoint[]> {
  const listed = await app.api.get('/v1/admin/webhooks').set(bearer(editor)).expect(200);
  expect(JSON.stringify(listed.body)).not.toContain('token-never-shown');
  return (listed.body.data as Endpoint[]).filter((endpoint) => endpoint.kind !== 'webhook');
}

describe('CDN purges', () => {
  it('purge the keys of every change by surrogate key (Fastly) and cache tag (Cloudflare)', async () => {
    const { app, editor, fastly, cloudflare, relay } = await setUp();
    const endpoints = await purgeEndpoints(app, editor);
    expect(endpoints.map((endpoint) => [endpoint.kind, endpoint.enabled]).sort()).toEqual([
      ['cloudflare', true],
      ['fastly', true],
    ]);

    const article = await publishArticleWith(app, editor, { headline: 'Ferry strike ends' });
    expect(await relay.deliverDue()).toBeGreaterThanOrEqual(2);

    const [toFastly] = fastly.received;
    expect(toFastly?.method).toBe('POST');
    expect(toFastly?.url).toBe('/service/SU1Z0isxPaozGVKXdv0eY/purge');
    expect(toFastly?.headers['fastly-key']).toBe(fastlyToken);
    expect(toFastly?.headers['fastly-soft-purge']).toBe('1');
    const purgedByFastly = (JSON.parse(toFastly?.body ?? '{}') as { surrogate_keys: string[] })
      .surrogate_keys;
    expect(purgedByFastly).toEqual(expect.arrayContaining([`article:${article.id}`, 'articles']));

    const [toCloudflare] = cloudflare.received;
    expect(toCloudflare?.url).toBe('/client/v4/zones/023e105f4ecef8ad9ca31a8372d0c353/purge_cache');
    expect(toCloudflare?.headers.authorization).toBe(`Bearer ${cloudflareToken}`);
    expect((JSON.parse(toCloudflare?.body ?? '{}') as { tags: string[] }).tags).toEqual(
      purgedByFastly,
    );

    // What was purged is what the public responses are tagged with, for both CDNs.
    const page = await app.api.get(`/v1/articles/${article.slug}`).expect(200);
    const surrogateKeys = String(page.headers['surrogate-key']).split(' ');
    expect(String(page.headers['cache-tag']).split(',')).toEqual(surrogateKeys);
    expect(surrogateKeys).toEqual(expect.arrayContaining([`article:${article.id}`]));
    const cached = await app.api.get(`/v1/articles/${article.slug}`).expect(200);
    expect(cached.headers['x-cache']).toBe('hit');
    expect(cached.headers['cache-tag']).toBe(page.headers['cache-tag']);

    // The attempts are in the endpoint's delivery log, as a webhook's are.
    const fastlyEndpoint = endpoints.find((endpoint) => endpoint.kind === 'fastly');
    const log = await app.api
      .get(`/v1/admin/webhooks/${fastlyEndpoint?.id}/deliveries`)
      .set(bearer(editor))
      .expect(200);
    expect(log.body.data[0]).toMatchObject({
      eventType: 'article.published',
      status: 'succeeded',
      lastResponseStatus: 204,
    });
  });

  it('retry a refused purge on the webhook schedule, honouring Retry-After', async () => {
    const { app, clock, editor, fastly, cloudflare, relay } = await setUp();
    fastly.replies.push({ status: 503, headers: { 'retry-after': '600' } });
    // Cloudflare refuses some purges with a 200 whose body says so.
    cloudflare.replies.push({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"success":false,"errors":[{"code":1134,"message":"Rate limited"}]}',
    });
    await publishArticleWith(app, editor, { headline: 'Bridge closed for repairs' });
    await relay.deliverDue();
    const endpoints = await purgeEndpoints(app, editor);
    for (const endpoint of endpoints) {
      const log = await app.api
        .get(`/v1/admin/webhooks/${endpoint.id}/deliveries`)
        .set(bearer(editor))
        .expect(200);
      const [delivery] = log.body.data;
      expect(delivery).toMatchObject({ status: 'pending', attempts: 1 });
      const wait = Date.parse(delivery.nextAttemptAt) - clock.now().getTime();
      if (endpoint.kind === 'fastly') expect(wait).toBeGreaterThanOrEqual(600_000);
      else {
        expect(delivery.lastError).toContain('success: false');
        expect(wait).toBeGreaterThanOrEqual(5_000);
      }
    }
    // Nothing is due until the waits are over; then both go through.
    expect(await relay.deliverDue()).toBe(0);
    clock.advance(601_000);
    expect(await relay.deliverDue()).toBe(2);
    expect(fastly.received).toHaveLength(2);
    expect(cloudflare.received).toHaveLength(2);
  });

  it('follow the environment: read-only over the API, disabled once unconfigured', async () => {
    const { app, editor, fastly } = await setUp();
    const [endpoint] = await purgeEndpoints(app, editor);
    const path = `/v1/admin/webhooks/${endpoint?.id}`;
    const as = bearer(editor);
    await app.api.patch(path).set(as).send({ enabled: false }).expect(409);
    await app.api.delete(path).set(as).expect(409);
    await app.api.post(`${path}/rotate-secret`).set(as).expect(409);
    await app.api.post(`${path}/test`).set(as).expect(409);

    // The same database opened without the Fastly settings: its endpoint is switched off, its
    // log kept, and changes no longer queue purges for it.
    const restarted = await buildApp({
      config: testConfig({
        ...app.database.config,
        cloudflareZoneId: app.config.cloudflareZoneId,
        cloudflareApiToken: app.config.cloudflareApiToken,
        cloudflareApiUrl: app.config.cloudflareApiUrl,
      }),
    });
    await restarted.ready();
    closers.push(() => restarted.close());
    const fastlyId = (await purgeEndpoints(app, editor)).find((e) => e.kind === 'fastly')?.id;
    const reread = await app.api.get(`/v1/admin/webhooks/${fastlyId}`).set(as).expect(200);
    expect(reread.body.data).toMatchObject({ enabled: false, disabledReason: 'unconfigured' });
    await publishArticleWith(app, editor, { headline: 'Harbour reopens' });
    await restarted.services.webhooks.relay.deliverDue();
    expect(fastly.received).toHaveLength(0);
  });

  it('need both settings of a pair', () => {
    expect(() => loadConfig({ FASTLY_SERVICE_ID: 'abc123' })).toThrow(ConfigError);
    expect(() => loadConfig({ CLOUDFLARE_API_TOKEN: 'a-long-token' })).toThrow(
      /CLOUDFLARE_ZONE_ID: must be set together with CLOUDFLARE_API_TOKEN/,
    );
    // A bad token is refused without being echoed.
    expect(() => loadConfig({ FASTLY_API_TOKEN: 'short', FASTLY_SERVICE_ID: 'abc123' })).toThrow(
      'FASTLY_API_TOKEN: Too small: expected string to have >=8 characters (got [redacted])',
    );
    expect(loadConfig({}).fastlyServiceId).toBeUndefined();
  });
});
