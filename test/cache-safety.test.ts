import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../src/seed.ts';
import { bearer, createTestApp, type TestApp } from './helpers.ts';

// A shared cache keys a public response on the URL (plus the headers in Vary). So the response
// must not change with any other request header, or one client could poison what others get.

let t: TestApp;
let urls: string[];

beforeAll(async () => {
  t = await createTestApp({ config: { corsOrigins: ['https://www.example.org'] } });
  await seedDemo(t.app);
  const lead = 'moscow-talks-put-syria-and-turkey-on-the-road-to-reconciliation';
  urls = [
    '/v1/articles',
    '/v1/articles?tag=syria',
    '/v1/articles?q=roadmap',
    `/v1/articles/${lead}`,
    `/v1/articles/${lead}/related`,
    '/v1/authors',
    '/v1/authors/mira-castellanos',
    '/v1/tags',
    '/v1/tags/russia',
    '/v1/newsletters',
    '/v1/pages/privacy-policy',
    '/v1/appeals/active?placement=article-footer',
  ];
});
afterAll(async () => t.close());

const hostileHeaders: Array<Record<string, string>> = [
  { 'Accept-Language': 'ru-RU' },
  { Accept: 'text/html' },
  { Cookie: 'session=editor; preview=1' },
  { 'X-Forwarded-Host': 'evil.example' },
  { 'X-Forwarded-Proto': 'http' },
  { 'X-Original-URL': '/v1/admin/tokens' },
  { 'X-HTTP-Method-Override': 'DELETE' },
  { 'X-Preview': 'true' },
  { 'X-Request-Id': 'poisoned-request-id' },
];

describe('public responses and request headers', () => {
  it('do not vary on headers outside Vary (cold and warm cache alike)', async () => {
    const admin = await t.token('admin');
    for (const url of urls) {
      const plain = await t.api.get(url).expect(200);
      for (const headers of [...hostileHeaders, bearer(admin)]) {
        const varied = await t.api.get(url).set(headers).expect(200);
        expect(varied.text, `${url} with ${JSON.stringify(headers)}`).toBe(plain.text);
        expect(varied.headers.etag).toBe(plain.headers.etag);
      }
      const vary = String(plain.headers.vary ?? '');
      expect(
        vary
          .toLowerCase()
          .split(/,\s*/)
          .filter(Boolean)
          .every((name) => name === 'origin' || name === 'accept-encoding'),
        `${url} Vary: ${vary}`,
      ).toBe(true);
    }
  });

  it('carry CORS headers only for allowed origins, and say Vary: Origin', async () => {
    const allowed = await t.api
      .get('/v1/articles')
      .set('Origin', 'https://www.example.org')
      .expect(200);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://www.example.org');
    expect(allowed.headers.vary).toMatch(/origin/i);
    const other = await t.api.get('/v1/articles').set('Origin', 'https://evil.example').expect(200);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    expect(other.text).toBe(allowed.text);
  });
});
