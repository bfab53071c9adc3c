import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { bearer, createTestApp, publishArticleWith, type TestApp, testConfig } from './helpers.ts';

let t: TestApp;
let editor: string;

beforeAll(async () => {
  t = await createTestApp({
    config: {
      corsOrigins: ['https://www.example.org'],
      publicCacheMaxAge: 30,
      publicCacheStaleWhileRevalidate: 300,
    },
  });
  editor = await t.token('editor');
  const russia = await t.api
    .post('/v1/admin/tags')
    .set(bearer(editor))
    .send({ name: 'Russia' })
    .expect(201);
  await publishArticleWith(t, editor, { tagIds: [russia.body.data.id] });
});
afterAll(async () => t.close());

describe('public caching', () => {
  it('sends an ETag and the configured Cache-Control, and answers If-None-Match with 304', async () => {
    const first = await t.api.get('/v1/tags/russia').expect(200);
    expect(first.headers['cache-control']).toBe('public, max-age=30, stale-while-revalidate=300');
    const etag = first.headers.etag ?? '';
    expect(etag).toMatch(/^"[\w-]+"$/);

    const revalidated = await t.api.get('/v1/tags/russia').set('If-None-Match', etag).expect(304);
    expect(revalidated.text).toBe('');
    expect(revalidated.headers.etag).toBe(etag);
    await t.api.get('/v1/tags/russia').set('If-None-Match', `"other", W/${etag}`).expect(304);
    await t.api.get('/v1/tags/russia').set('If-None-Match', '"stale"').expect(200);
  });

  it('changes the ETag when the content changes', async () => {
    const before = await t.api.get('/v1/tags/russia').expect(200);
    const id = before.body.data.id as string;
    await t.api
      .patch(`/v1/admin/tags/${id}`)
      .set(bearer(editor))
      .send({ description: 'Updated' })
      .expect(200);
    const after = await t.api
      .get('/v1/tags/russia')
      .set('If-None-Match', before.headers.etag ?? '')
      .expect(200);
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect(after.body.data.description).toBe('Updated');
  });

  it('never lets a shared cache keep errors or editor responses', async () => {
    const missing = await t.api.get('/v1/tags/missing').expect(404);
    expect(missing.headers['cache-control']).toBe('no-store');
    const admin = await t.api.get('/v1/admin/tags').set(bearer(editor)).expect(200);
    expect(admin.headers['cache-control']).toBe('no-store');
    expect(admin.headers.etag).toBeUndefined();
  });
});

describe('request ids', () => {
  it('gives every response an X-Request-Id, keeping a well-formed inbound one', async () => {
    // This test failed twice in full runs under load and never alone; the messages carry the
    // whole answer so that a next failure explains itself.
    const seen = (response: { status: number; headers: object; text: string }) =>
      JSON.stringify({ status: response.status, headers: response.headers, body: response.text });
    const generated = await t.api.get('/health/live');
    expect(generated.status, seen(generated)).toBe(200);
    expect(generated.headers['x-request-id'], seen(generated)).toMatch(/^[0-9a-f-]{36}$/);
    const kept = await t.api.get('/health/live').set('X-Request-Id', 'cdn-abc12345');
    expect(kept.headers['x-request-id'], seen(kept)).toBe('cdn-abc12345');
    const replaced = await t.api.get('/health/live').set('X-Request-Id', 'bad id\twith spaces');
    expect(replaced.status, seen(replaced)).toBe(200);
    expect(replaced.headers['x-request-id'], seen(replaced)).not.toContain('bad');
  });
});

describe('CORS', () => {
  it('allows configured origins only', async () => {
    const allowed = await t.api
      .get('/v1/tags')
      .set('Origin', 'https://www.example.org')
      .expect(200);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://www.example.org');
    expect(allowed.headers.vary).toMatch(/Origin/i);
    const other = await t.api.get('/v1/tags').set('Origin', 'https://evil.example').expect(200);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await t.api
      .options('/v1/admin/tags')
      .set('Origin', 'https://www.example.org')
      .set('Access-Control-Request-Method', 'PATCH')
      .set('Access-Control-Request-Headers', 'authorization,if-match,content-type');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-headers']).toMatch(/If-Match/i);
  });
});

describe('health', () => {
  it('is live and ready when the database answers with every migration applied', async () => {
    await t.api.get('/health/live').expect(200, { status: 'ok' });
    const ready = await t.api.get('/health/ready').expect(200, { status: 'ok' });
    expect(ready.headers['cache-control']).toBe('no-store');
  });

  it('is not ready once the database is gone', async () => {
    const other = await createTestApp();
    await other.app.store.close();
    const response = await other.api.get('/health/ready').expect(503);
    expect(response.headers['content-type']).toMatch(/problem\+json/);
    await other.close();
  });
});

describe('timeouts', () => {
  async function listenSlowApp(config: { headersTimeoutMs: number; requestTimeoutMs: number }) {
    const app = await buildApp({ config: testConfig(config) });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return { app, port: address.port };
  }

  function closedWithin(socket: Socket): Promise<{ ms: number; received: string }> {
    const started = Date.now();
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString();
    });
    return new Promise((resolve) =>
      socket.on('close', () => resolve({ ms: Date.now() - started, received })),
    );
  }

  it('cuts a client that trickles its headers', async () => {
    const { app, port } = await listenSlowApp({ headersTimeoutMs: 500, requestTimeoutMs: 1000 });
    const socket = connect(port, '127.0.0.1');
    const closed = closedWithin(socket);
    socket.write('GET /v1/tags HTTP/1.1\r\nHost: x\r\n');
    const trickle = setInterval(() => socket.write('X-Slow: 1\r\n'), 100);
    const { ms, received } = await closed;
    clearInterval(trickle);
    expect(ms).toBeLessThan(3000);
    expect(received).toMatch(/^HTTP\/1\.1 408/);
    await app.close();
  });

  it('cuts a client that trickles its body', async () => {
    const { app, port } = await listenSlowApp({ headersTimeoutMs: 500, requestTimeoutMs: 1000 });
    const socket = connect(port, '127.0.0.1');
    const closed = closedWithin(socket);
    socket.write(
      'POST /v1/admin/tags HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{',
    );
    const trickle = setInterval(() => socket.write(' '), 100);
    const { ms } = await closed;
    clearInterval(trickle);
    expect(ms).toBeLessThan(3000);
    await app.close();
  });
});

describe('restart', () => {
  it('keeps the data in the database file', async () => {
    const config = testConfig();
    const first = await buildApp({ config });
    const { token } = await first.services.tokens.create({ name: 'restart', role: 'editor' }, null);
    await first.inject({
      method: 'POST',
      url: '/v1/admin/tags',
      headers: bearer(token),
      payload: { name: 'Survivor' },
    });
    await first.close();
    const second = await buildApp({ config });
    const admin = await second.inject({
      method: 'GET',
      url: '/v1/admin/tags',
      headers: bearer(token),
    });
    expect(admin.statusCode).toBe(200);
    expect(admin.json().data).toEqual([expect.objectContaining({ slug: 'survivor' })]);
    await second.close();
  });
});
