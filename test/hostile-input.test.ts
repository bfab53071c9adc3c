import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from './helpers.ts';

// Each hostile request gets a clear 4xx problem+json, the server stays healthy, and nothing
// stored changes.

let t: TestApp;
let editor: string;
let articleId: string;
let snapshot: string;

const tables = () =>
  ['articles', 'tags', 'authors', 'photos', 'newsletters', 'newsletterSignups'] as const;

async function storedState(): Promise<string> {
  const { store } = t.app;
  const rows = await Promise.all(
    tables().map((name) => store.db.select().from(store.tables[name])),
  );
  return JSON.stringify(rows);
}

beforeAll(async () => {
  t = await createTestApp({ config: { bodyLimitBytes: 64 * 1024 } });
  editor = await t.token('editor');
  await t.api.post('/v1/admin/tags').set(bearer(editor)).send({ name: 'Russia' }).expect(201);
  articleId = (
    await t.api
      .post('/v1/admin/articles')
      .set(bearer(editor))
      .send({ headline: 'Fixed point', body: 'x' })
      .expect(201)
  ).body.data.id;
  await t.app.services.newsletters.create({
    name: 'Weekly',
    slug: 'weekly',
    cadence: 'weekly',
    privacyPolicyVersion: 'p@1',
  });
  snapshot = await storedState();
});
afterAll(async () => t.close());

interface Case {
  name: string;
  method: 'get' | 'post' | 'patch' | 'delete' | 'put';
  path: string;
  contentType?: string;
  body?: string;
  headers?: Record<string, string>;
  status: number;
}

const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
const boundary = 'hostile-boundary';
const textPart = (name: string, value: string) =>
  `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
const filePart = (type: string, content: string) =>
  `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="photo.jpg"\r\nContent-Type: ${type}\r\n\r\n${content}\r\n`;
const form = (...parts: string[]) => `${parts.join('')}--${boundary}--\r\n`;
const cases: Case[] = [
  { name: 'invalid JSON', method: 'post', path: '/v1/admin/tags', body: '{"name":', status: 400 },
  { name: 'empty JSON body', method: 'post', path: '/v1/admin/tags', body: '', status: 400 },
  { name: 'JSON null body', method: 'post', path: '/v1/admin/tags', body: 'null', status: 400 },
  {
    name: 'array instead of object',
    method: 'post',
    path: '/v1/admin/tags',
    body: '[{"name":"x"}]',
    status: 400,
  },
  {
    name: 'missing content type',
    method: 'post',
    path: '/v1/admin/tags',
    contentType: '',
    body: '{"name":"x"}',
    status: 415,
  },
  {
    name: 'text/plain',
    method: 'post',
    path: '/v1/admin/tags',
    contentType: 'text/plain',
    body: 'name=x',
    status: 415,
  },
  {
    name: 'form body on a JSON route',
    method: 'post',
    path: '/v1/admin/tags',
    contentType: 'application/x-www-form-urlencoded',
    body: 'name=x',
    status: 415,
  },
  {
    name: 'body over the limit',
    method: 'post',
    path: '/v1/admin/tags',
    body: JSON.stringify({ name: 'x', description: 'a'.repeat(70_000) }),
    status: 413,
  },
  {
    name: 'JSON nested 10,000 deep',
    method: 'post',
    path: '/v1/admin/tags',
    body: deep,
    status: 400,
  },
  {
    name: '__proto__ key',
    method: 'post',
    path: '/v1/admin/tags',
    body: '{"name":"x","__proto__":{"isAdmin":true}}',
    status: 400,
  },
  {
    name: 'constructor.prototype key',
    method: 'post',
    path: '/v1/admin/tags',
    body: '{"name":"x","constructor":{"prototype":{"isAdmin":true}}}',
    status: 400,
  },
  {
    name: 'NUL byte in a slug',
    method: 'post',
    path: '/v1/admin/tags',
    body: JSON.stringify({ name: 'x', slug: 'a\u0000b' }),
    status: 400,
  },
  {
    name: 'lone surrogate in a slug',
    method: 'post',
    path: '/v1/admin/tags',
    body: '{"name":"x","slug":"a\\ud800"}',
    status: 400,
  },
  {
    name: 'right-to-left override in a slug',
    method: 'post',
    path: '/v1/admin/tags',
    body: JSON.stringify({ name: 'x', slug: 'evil\u202egnp' }),
    status: 400,
  },
  {
    name: 'CRLF in an email',
    method: 'post',
    path: '/v1/newsletters/weekly/signups',
    body: JSON.stringify({
      email: 'a@b.org\r\nBcc: c@d.org',
      consent: true,
      privacyPolicyVersion: 'p@1',
    }),
    status: 400,
  },
  {
    name: 'null where an object belongs',
    method: 'patch',
    path: `/v1/admin/articles/ID`,
    body: 'null',
    headers: { 'if-match': '"1"' },
    status: 400,
  },
  {
    name: 'array where a string belongs',
    method: 'post',
    path: '/v1/admin/tags',
    body: '{"name":["x"]}',
    status: 400,
  },
  {
    name: 'SQL in a filter',
    method: 'get',
    path: `/v1/articles?tag=${encodeURIComponent("x' OR '1'='1")}`,
    status: 200,
  },
  {
    name: 'SQL in a sort parameter',
    method: 'get',
    path: `/v1/articles?sort=${encodeURIComponent('published_at; DROP TABLE articles')}`,
    status: 400,
  },
  {
    name: 'SQL in a slug',
    method: 'get',
    path: `/v1/articles/${encodeURIComponent("x'; DROP TABLE articles; --")}`,
    status: 404,
  },
  {
    name: 'path traversal in a slug',
    method: 'get',
    path: '/v1/articles/..%2F..%2Fetc%2Fpasswd',
    status: 404,
  },
  { name: '20 KB URL', method: 'get', path: `/v1/articles?q=${'a'.repeat(20_000)}`, status: 431 },
  { name: 'limit=0x10', method: 'get', path: '/v1/articles?limit=0x10', status: 400 },
  { name: 'limit=1e1', method: 'get', path: '/v1/articles?limit=1e1', status: 400 },
  { name: 'limit=-0', method: 'get', path: '/v1/articles?limit=-0', status: 400 },
  { name: 'limit=""', method: 'get', path: '/v1/articles?limit=', status: 400 },
  {
    name: 'repeated query parameter',
    method: 'get',
    path: '/v1/articles?limit=1&limit=2',
    status: 400,
  },
  {
    name: 'unknown method on a known route',
    method: 'put',
    path: '/v1/admin/tags',
    body: '{}',
    status: 405,
  },
  { name: 'DELETE on a public list', method: 'delete', path: '/v1/articles', status: 405 },
  // PostgreSQL cannot store or compare U+0000: refused before any query, on every route.
  { name: 'NUL in a slug', method: 'get', path: '/v1/feeds/tags/a%00b.atom', status: 400 },
  { name: 'NUL in a front’s slug', method: 'get', path: '/v1/collections/%00', status: 400 },
  { name: 'NUL in a query', method: 'get', path: '/v1/articles?tag=a%00', status: 400 },
  {
    name: 'NUL in a body',
    method: 'post',
    path: '/v1/admin/tags',
    body: '{"name":"Rus\\u0000sia"}',
    status: 400,
  },
  {
    name: 'NUL in a field name',
    method: 'post',
    path: '/v1/admin/tags',
    body: '{"name":"Russia","\\u0000":1}',
    status: 400,
  },
  // Photo uploads (multipart): more in media.test.ts, which sends real image files.
  ...(
    [
      ['an SVG in the file part', form(filePart('image/svg+xml', '<svg onload="alert(1)"/>')), 415],
      [
        'NUL in a text part',
        form(textPart('altText', 'a\u0000b'), filePart('image/jpeg', 'x')),
        400,
      ],
      ['two file parts', form(filePart('image/jpeg', 'a'), filePart('image/jpeg', 'b')), 413],
      ['a __proto__ part', form(textPart('__proto__', '{}'), filePart('image/jpeg', 'x')), 400],
      [
        'a part the route does not take',
        form(textPart('sha256', 'x'), filePart('image/jpeg', 'x')),
        400,
      ],
      [
        'an HTML page named .jpg',
        form(filePart('image/jpeg', '<!doctype html><script>1</script>')),
        415,
      ],
      ['no parts at all', `--${boundary}--\r\n`, 400],
    ] as const
  ).map(([name, body, status]): Case => ({
    name: `upload: ${name}`,
    method: 'post',
    path: '/v1/admin/photos/uploads',
    contentType: `multipart/form-data; boundary=${boundary}`,
    body,
    status,
  })),
];

describe('hostile input', () => {
  it.each(cases)('$name → $status', async (testCase) => {
    const path = testCase.path.replace('ID', articleId);
    let request = t.api[testCase.method](path).set(bearer(editor));
    for (const [name, value] of Object.entries(testCase.headers ?? {}))
      request = request.set(name, value);
    if (testCase.body !== undefined) {
      request = request
        .set('content-type', testCase.contentType ?? 'application/json')
        .send(testCase.body);
    }
    const response = await request;
    expect(response.status).toBe(testCase.status);
    if (testCase.status >= 400) {
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.status).toBe(testCase.status);
    }
    if (testCase.status === 405) expect(response.headers.allow).toMatch(/GET/);
  });

  it('leaves the server healthy and every stored row unchanged', async () => {
    await t.api.get('/health/ready').expect(200);
    expect(await storedState()).toBe(snapshot);
  });

  it('answers 2,000 unknown keys (one of them 20 KB long) with a bounded problem', async () => {
    const body: Record<string, number> = { [`k${'x'.repeat(20_000)}`]: 1 };
    for (let i = 0; i < 2000; i += 1) body[`unknown${i}`] = i;
    const response = await t.api
      .post('/v1/admin/tags')
      .set(bearer(editor))
      .set('content-type', 'application/json')
      .send(JSON.stringify({ name: 'x', ...body }))
      .expect(400);
    const errors = response.body.errors as Array<{ path: string; message: string }>;
    expect(errors).toHaveLength(100);
    expect(Math.max(...errors.map((error) => error.path.length))).toBeLessThanOrEqual(500);
    expect(response.text.length).toBeLessThan(20_000);
  });

  it('treats duplicate JSON keys as the last one wins (JSON.parse), still validated', async () => {
    const response = await t.api
      .post('/v1/admin/tags')
      .set(bearer(editor))
      .set('content-type', 'application/json')
      .send('{"name":"First","name":"Second"}')
      .expect(201);
    expect(response.body.data.name).toBe('Second');
  });
});

describe('mass assignment', () => {
  it.each([
    ['/v1/admin/tags', { name: 'x', id: 'tag_00000000000000000000000000' }, 'body.id'],
    ['/v1/admin/tags', { name: 'x', createdAt: '2020-01-01T00:00:00.000Z' }, 'body.createdAt'],
    ['/v1/admin/articles', { headline: 'x', status: 'published' }, 'body.status'],
    ['/v1/admin/articles', { headline: 'x', version: 99 }, 'body.version'],
    [
      '/v1/admin/articles',
      { headline: 'x', publishedAt: '2020-01-01T00:00:00.000Z' },
      'body.publishedAt',
    ],
    ['/v1/admin/tokens', { name: 'x', role: 'admin', tokenHash: 'abc' }, 'body.tokenHash'],
  ])('POST %s with %j is rejected naming %s', async (path, body, field) => {
    const admin = await t.token('admin');
    const response = await t.api.post(path).set(bearer(admin)).send(body).expect(400);
    expect((response.body.errors as Array<{ path: string }>).map((error) => error.path)).toContain(
      field,
    );
  });
});
