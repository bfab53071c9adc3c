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

describe('public responses and private data', () => {
  it('never carry an email, a token or its hash, a draft, or a private field', async () => {
    const editor = await t.token('editor');
    const secretToken = await t.token('admin');
    // Private things to look for: an author's email, a signup's address, a draft article.
    const author = await t.api
      .post('/v1/admin/authors')
      .set(bearer(editor))
      .send({ name: 'Quiet Contributor', email: 'quiet.contributor@newsroom.example' })
      .expect(201);
    const draft = await t.api
      .post('/v1/admin/articles')
      .set(bearer(editor))
      .send({
        headline: 'Unpublished scoop about the summit',
        body: 'Embargoed until Friday.',
        authorIds: [author.body.data.id],
      })
      .expect(201);
    const newsletter = (await t.api.get('/v1/newsletters').expect(200)).body.data[0];
    await t.api
      .post(`/v1/newsletters/${newsletter.slug}/signups`)
      .send({
        email: 'reader.private@example.org',
        consent: true,
        privacyPolicyVersion: newsletter.privacyPolicyVersion,
      })
      .expect(202);
    const { store } = t.app;
    const hashes = (
      await store.db.select({ hash: store.tables.apiTokens.tokenHash }).from(store.tables.apiTokens)
    ).map((row) => row.hash);

    // Every public URL: the fixed ones, plus each published article, author and tag page.
    const articles = (await t.api.get('/v1/articles?limit=100').expect(200)).body.data as Array<{
      slug: string;
    }>;
    const authors = (await t.api.get('/v1/authors?limit=100').expect(200)).body.data as Array<{
      slug: string;
    }>;
    const tags = (await t.api.get('/v1/tags?limit=100').expect(200)).body.data as Array<{
      slug: string;
    }>;
    const everyUrl = [
      ...urls,
      ...articles.flatMap(({ slug }) => [`/v1/articles/${slug}`, `/v1/articles/${slug}/related`]),
      ...authors.map(({ slug }) => `/v1/authors/${slug}`),
      ...tags.map(({ slug }) => `/v1/tags/${slug}`),
      `/v1/articles/${draft.body.data.slug}`,
      '/v1/articles?q=scoop',
    ];
    // Every private address in the database (authors' and readers'), every token hash.
    const privateEmails = [
      ...(await store.db.select({ email: store.tables.authors.email }).from(store.tables.authors)),
      ...(await store.db
        .select({ email: store.tables.newsletterSignups.email })
        .from(store.tables.newsletterSignups)),
    ].flatMap((row) => (row.email === null ? [] : [row.email]));
    expect(privateEmails).toContain('reader.private@example.org');
    const forbidden = [
      /bs_[A-Za-z0-9_-]{20,}/, // any API token
      /Unpublished scoop|Embargoed/, // the draft
    ];
    // Fields only editors see (a problem body's own `status` is not one of them).
    const privateFields = /"(email|ipHash|tokenHash|token|customExcerpt|status|body)"\s*:/;
    for (const url of everyUrl) {
      const response = await t.api.get(url);
      expect([200, 404], url).toContain(response.status);
      for (const pattern of forbidden)
        expect(response.text, `${url} ${pattern}`).not.toMatch(pattern);
      if (response.status === 200) expect(response.text, url).not.toMatch(privateFields);
      for (const secret of [...hashes, ...privateEmails]) {
        expect(response.text, url).not.toContain(secret);
      }
      expect(response.text).not.toContain(secretToken);
    }
    expect(everyUrl.length).toBeGreaterThan(20);
  });
});
