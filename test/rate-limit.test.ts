import { afterEach, describe, expect, it } from 'vitest';
import { createRateLimiter } from '../src/lib/rate-limit.ts';
import { createTestApp, manualClock, type TestApp } from './helpers.ts';

const apps: TestApp[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function appWithLimit(perMinute: number, extra: Parameters<typeof createTestApp>[0] = {}) {
  const app = await createTestApp({
    ...extra,
    config: { rateLimitPerMinute: perMinute, ...extra.config },
  });
  apps.push(app);
  return app;
}

describe('per-client rate limit', () => {
  it('announces the budget on every response and answers 429 with Retry-After once it is spent', async () => {
    const clock = manualClock();
    const { api } = await appWithLimit(3, { now: clock.now });
    const first = await api.get('/v1/tags');
    expect(first.status).toBe(200);
    expect(first.headers['ratelimit-policy']).toBe('"per-client";q=3;w=60');
    expect(first.headers.ratelimit).toBe('"per-client";r=2;t=60');
    await api.get('/v1/articles').expect(200);
    // Admin and unknown routes draw on the same budget.
    const third = await api.get('/v1/admin/articles');
    expect(third.status).toBe(401);
    expect(third.headers.ratelimit).toBe('"per-client";r=0;t=60');

    clock.advance(15_000);
    const limited = await api.get('/v1/tags');
    expect(limited.status).toBe(429);
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(limited.headers['retry-after']).toBe('45');
    expect(limited.headers.ratelimit).toBe('"per-client";r=0;t=45');
    expect(limited.body).toMatchObject({
      status: 429,
      type: 'urn:broadsheet:problem:rate-limited',
    });

    clock.advance(45_000);
    await api.get('/v1/tags').expect(200);
  });

  it('keys on the socket address: a forged X-Forwarded-For buys no fresh budget when TRUST_PROXY is off', async () => {
    const { api } = await appWithLimit(2);
    for (let i = 0; i < 2; i += 1) {
      await api.get('/v1/tags').set('x-forwarded-for', `203.0.113.${i}`).expect(200);
    }
    await api.get('/v1/tags').set('x-forwarded-for', '198.51.100.7').expect(429);
  });

  it('counts clients apart when a trusted proxy names them', async () => {
    const { api } = await appWithLimit(1, { config: { trustProxy: true } });
    await api.get('/v1/tags').set('x-forwarded-for', '203.0.113.1').expect(200);
    await api.get('/v1/tags').set('x-forwarded-for', '203.0.113.1').expect(429);
    await api.get('/v1/tags').set('x-forwarded-for', '203.0.113.2').expect(200);
  });

  it('serves a cached public response with the budget of the client asking, not of the first', async () => {
    const { api } = await appWithLimit(10, { config: { trustProxy: true } });
    for (let i = 0; i < 5; i += 1) {
      await api.get('/v1/tags').set('x-forwarded-for', '203.0.113.1').expect(200);
    }
    const other = await api.get('/v1/tags').set('x-forwarded-for', '203.0.113.2').expect(200);
    expect(other.headers['x-cache']).toBe('hit');
    expect(other.headers.ratelimit).toBe('"per-client";r=9;t=60');
  });
});

describe('rate limiter table', () => {
  it('stays bounded under a flood of distinct addresses, forgetting the oldest', () => {
    const limiter = createRateLimiter({ limit: 1, windowMs: 60_000, maxKeys: 100 });
    for (let i = 0; i < 10_000; i += 1) {
      expect(limiter.take(`10.0.${i >> 8}.${i & 255}`, 1000).allowed).toBe(true);
    }
    // The newest 100 are remembered (and limited); the first were forgotten.
    expect(limiter.take('10.0.39.15', 1000).allowed).toBe(false);
    expect(limiter.take('10.0.0.0', 1000).allowed).toBe(true);
  });

  it('starts a new window once the old one has passed', () => {
    const limiter = createRateLimiter({ limit: 1, windowMs: 1000 });
    expect(limiter.hit('a', 0)).toBe(0);
    expect(limiter.hit('a', 500)).toBe(1);
    expect(limiter.hit('a', 1000)).toBe(0);
  });
});
