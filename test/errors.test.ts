import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import {
  bearer,
  createTestApp,
  freshDatabase,
  LogCapture,
  openTestStore,
  type TestApp,
  testConfig,
} from './helpers.ts';
import { adminQuery } from './postgres/cluster.ts';
import supertest from 'supertest';

let t: TestApp;
let editor: string;

beforeAll(async () => {
  t = await createTestApp({ config: { bodyLimitBytes: 4096 } });
  editor = await t.token('editor');
});
afterAll(async () => t.close());

function expectProblem(
  response: { status: number; headers: Record<string, string>; body: Record<string, unknown> },
  status: number,
) {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({
    status,
    type: expect.stringMatching(/^urn:broadsheet:problem:/),
    title: expect.any(String),
  });
  expect(response.body.requestId).toBe(response.headers['x-request-id']);
}

describe('problem+json for every error class', () => {
  it('404 for an unknown route', async () => {
    const response = await t.api.get('/v1/nothing-here');
    expectProblem(response, 404);
  });

  it('404 for an unknown resource', async () => {
    expectProblem(await t.api.get('/v1/tags/no-such-tag'), 404);
  });

  it('400 for invalid JSON', async () => {
    const response = await t.api
      .post('/v1/admin/tags')
      .set(bearer(editor))
      .set('content-type', 'application/json')
      .send('{"name": "Russia",');
    expectProblem(response, 400);
    expect(response.body.detail).toBe('The body is not valid JSON.');
  });

  it('400 for an empty JSON body', async () => {
    const response = await t.api
      .post('/v1/admin/tags')
      .set(bearer(editor))
      .set('content-type', 'application/json')
      .send('');
    expectProblem(response, 400);
  });

  it('400 for __proto__ keys, which never reach a handler', async () => {
    const response = await t.api
      .post('/v1/admin/tags')
      .set(bearer(editor))
      .set('content-type', 'application/json')
      .send('{"name":"x","__proto__":{"admin":true}}');
    expectProblem(response, 400);
  });

  it('415 for a body that is not JSON', async () => {
    const plain = await t.api
      .post('/v1/admin/tags')
      .set(bearer(editor))
      .set('content-type', 'text/plain')
      .send('name=Russia');
    expectProblem(plain, 415);
    const xml = await t.api
      .post('/v1/admin/tags')
      .set(bearer(editor))
      .set('content-type', 'application/xml')
      .send('<tag/>');
    expectProblem(xml, 415);
  });

  it('413 for a body over the limit', async () => {
    const response = await t.api
      .post('/v1/admin/tags')
      .set(bearer(editor))
      .send({ name: 'x', description: 'a'.repeat(5000) });
    expectProblem(response, 413);
  });

  it('400 listing every offending field with its path', async () => {
    const response = await t.api
      .post('/v1/admin/photos')
      .set(bearer(editor))
      .send({ url: 'javascript:alert(1)', altText: '', credit: {}, width: -3, colour: 'red' });
    expectProblem(response, 400);
    const paths = (response.body.errors as Array<{ path: string }>)
      .map((error) => error.path)
      .sort();
    expect(paths).toEqual(['body.altText', 'body.colour', 'body.credit', 'body.url', 'body.width']);
  });

  it('400 for unknown query parameters', async () => {
    const response = await t.api.get('/v1/tags?limit=5&sort=name');
    expectProblem(response, 400);
    expect(response.body.errors).toEqual([{ path: 'query.sort', message: expect.any(String) }]);
  });

  it.each(['0x10', '1e1', '', ' 5', '-1', '0', '101', '5.5', '1000000000000'])(
    '400 for limit=%j',
    async (limit) => {
      const response = await t.api.get(`/v1/tags?limit=${encodeURIComponent(limit)}`);
      expectProblem(response, 400);
      expect((response.body.errors as Array<{ path: string }>)[0]?.path).toBe('query.limit');
    },
  );

  it('400 for a cursor this server did not issue', async () => {
    const response = await t.api.get('/v1/tags?cursor=not-a-cursor');
    expectProblem(response, 400);
    expect(response.body.errors).toEqual([{ path: 'query.cursor', message: expect.any(String) }]);
  });

  it('401 and 403', async () => {
    expectProblem(await t.api.get('/v1/admin/tags'), 401);
    const writer = await t.token('writer');
    expectProblem(
      await t.api.delete('/v1/admin/tags/tag_01m8fvc2d5hg2x650evka7f1kp').set(bearer(writer)),
      403,
    );
  });

  it('409 for a taken slug', async () => {
    await t.api.post('/v1/admin/tags').set(bearer(editor)).send({ name: 'Turkey' }).expect(201);
    const response = await t.api
      .post('/v1/admin/tags')
      .set(bearer(editor))
      .send({ name: 'Türkiye', slug: 'turkey' });
    expectProblem(response, 409);
    expect(response.body.errors).toEqual([{ path: 'body.slug', message: expect.any(String) }]);
  });
});

describe('a 500', () => {
  it('says nothing internal and carries the request id that its log line has', async () => {
    const database = await freshDatabase();
    const logs = new LogCapture();
    const store = await openTestStore(database);
    const app = await buildApp({
      config: testConfig({ logLevel: 'info' }),
      store,
      logDestination: logs,
    });
    await app.ready();
    // The database changes under a running app in a way no code expects: on SQLite the
    // connection goes away; on PostgreSQL (where that is a 503, see store.test.ts) a table does.
    if (database.config.databaseUrl === undefined) await store.close();
    else await adminQuery(database.config.databaseUrl, 'alter table tags rename to tags_gone');
    const response = await supertest(app.server).get('/v1/tags/russia');
    expectProblem(response, 500);
    const body = JSON.stringify(response.body);
    expect(body).not.toMatch(/sqlite|select|stack|database|\.ts/i);
    const errorLine = logs.parsed().find((line) => line.level === 50);
    expect(errorLine?.reqId).toBe(response.body.requestId);
    await app.close();
    await store.close();
    await database.remove();
  });
});
