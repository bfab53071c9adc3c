import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { bearer, createTestApp, manualClock, type TestApp } from './helpers.ts';

// Sitemaps over HTTP, validated offline with xmllint (xmllint-wasm): the index against a
// project-owned siteindex.xsd, urlsets against sitemaps.org's own sitemap.xsd (shipped in the
// `sitemap` package) with project-owned schemas for Google's image and news extensions. The
// clock is the test's, so the 48-hour news window is checked to the minute.

const fixtures = join(import.meta.dirname, 'fixtures', 'xsd');
const sitemapXsd = readFileSync(
  join(
    createRequire(import.meta.url).resolve('sitemap/package.json'),
    '..',
    'schema',
    'sitemap.xsd',
  ),
  'utf8',
);
const fixture = (name: string) => readFileSync(join(fixtures, name), 'utf8');

async function valid(xml: string, kind: 'index' | 'urlset'): Promise<void> {
  const result = await validateXML({
    xml: [{ fileName: 'sitemap.xml', contents: xml }],
    schema: [kind === 'index' ? fixture('siteindex.xsd') : fixture('urlset.xsd')],
    preload: [
      { fileName: 'sitemap.xsd', contents: sitemapXsd },
      { fileName: 'sitemap-image.xsd', contents: fixture('sitemap-image.xsd') },
      { fileName: 'sitemap-news.xsd', contents: fixture('sitemap-news.xsd') },
      { fileName: 'sitemap-xhtml.xsd', contents: fixture('sitemap-xhtml.xsd') },
    ],
  });
  expect(result.errors.map((error) => error.rawMessage)).toEqual([]);
  expect(result.valid).toBe(true);
}

const locs = (xml: string) => [...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((match) => match[1]);

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const site = 'https://news.example.org';
const hour = 3_600_000;

async function setUp(config: Record<string, unknown> = {}) {
  const clock = manualClock(new Date('2026-11-28T09:00:00.000Z'));
  t = await createTestApp({
    now: clock.now,
    config: { siteUrl: site, newsPublicationName: 'The Example Times', ...config },
  });
  const as = bearer(await t.token('editor'));
  const app = t;
  const publish = async (headline: string, publishedAt?: string, photoId?: string) => {
    const created = await app.api
      .post('/v1/admin/articles')
      .set(as)
      .send({ headline, body: 'Text.', ...(photoId === undefined ? {} : { photoId }) })
      .expect(201);
    const published = await app.api
      .post(`/v1/admin/articles/${created.body.data.id}/publish`)
      .set(as)
      .set('If-Match', '"1"')
      .send(publishedAt === undefined ? {} : { publishedAt })
      .expect(200);
    return published.body.data as { id: string; slug: string };
  };
  return { app, clock, as, publish };
}

describe('sitemaps', () => {
  it('index a file per month, Google News and pages, every one valid, with no unpublished URL', async () => {
    const { app, as, publish } = await setUp();
    const photo = await app.api
      .post('/v1/admin/photos')
      .set(as)
      .send({
        url: 'https://cdn.example.org/ministers.jpg',
        altText: 'Ministers',
        credit: { agency: 'TASS' },
      })
      .expect(201);
    const october = await publish('October story', '2026-10-15T12:00:00.000Z');
    const today = await publish('Talks in Moscow', undefined, photo.body.data.id);
    const scheduled = await publish('Scheduled story', '2026-12-05T08:00:00.000Z');
    const draft = await app.api
      .post('/v1/admin/articles')
      .set(as)
      .send({ headline: 'Secret draft', body: 'No.' })
      .expect(201);
    await app.api
      .post('/v1/admin/pages')
      .set(as)
      .send({ title: 'Privacy policy', body: 'Ours.', status: 'published' })
      .expect(201);

    const index = await app.api.get('/sitemap.xml').expect(200);
    expect(index.headers['content-type']).toBe('application/xml; charset=utf-8');
    await valid(index.text, 'index');
    expect(locs(index.text)).toEqual([
      `${site}/sitemaps/news.xml`,
      `${site}/sitemaps/pages.xml`,
      `${site}/sitemaps/articles-2026-10.xml`,
      `${site}/sitemaps/articles-2026-11.xml`,
    ]);

    const november = await app.api.get('/sitemaps/articles-2026-11.xml').expect(200);
    await valid(november.text, 'urlset');
    expect(locs(november.text)).toEqual([`${site}/en/${today.slug}`]);
    expect(november.text).toContain(
      '<image:image><image:loc>https://cdn.example.org/ministers.jpg</image:loc></image:image>',
    );
    const octoberFile = await app.api.get('/sitemaps/articles-2026-10.xml').expect(200);
    await valid(octoberFile.text, 'urlset');
    expect(locs(octoberFile.text)).toEqual([`${site}/en/${october.slug}`]);

    const news = await app.api.get('/sitemaps/news.xml').expect(200);
    await valid(news.text, 'urlset');
    expect(locs(news.text)).toEqual([`${site}/en/${today.slug}`]);
    expect(news.text).toContain('<news:name>The Example Times</news:name>');
    expect(news.text).toContain('<news:title>Talks in Moscow</news:title>');

    const pages = await app.api.get('/sitemaps/pages.xml').expect(200);
    await valid(pages.text, 'urlset');
    expect(locs(pages.text)).toEqual([`${site}/privacy-policy`]);

    const everything = [index, november, octoberFile, news, pages].map((r) => r.text).join('');
    expect(everything).not.toContain(scheduled.slug);
    expect(everything).not.toContain(draft.body.data.slug);
    await app.api.get('/sitemaps/articles-2026-12.xml').expect(404);
    await app.api.get('/sitemaps/articles-2026-1.xml').expect(400);
    await app.api.get('/sitemaps/passwords.xml').expect(400);

    const robots = await app.api.get('/robots.txt').expect(200);
    expect(robots.text).toContain(`Sitemap: ${site}/sitemap.xml`);

    // The photo's address moves: the cached month file follows at once, not at max-age.
    const cached = await app.api.get('/sitemaps/articles-2026-11.xml').expect(200);
    expect(cached.headers['x-cache']).toBe('hit');
    await app.api
      .patch(`/v1/admin/photos/${photo.body.data.id}`)
      .set(as)
      .send({ url: 'https://cdn.example.org/ministers-v2.jpg' })
      .expect(200);
    const moved = await app.api.get('/sitemaps/articles-2026-11.xml').expect(200);
    expect(moved.text).toContain('<image:loc>https://cdn.example.org/ministers-v2.jpg</image:loc>');
  });

  it('keep an article in Google News for 48 hours: 47:59 in, 48:01 out', async () => {
    const { app, clock, publish } = await setUp();
    const story = await publish('Breaking: talks & <tensions> in "Moscow"');
    clock.advance(47 * hour + 59 * 60_000);
    const news = await app.api.get('/sitemaps/news.xml').expect(200);
    expect(locs(news.text)).toEqual([`${site}/en/${story.slug}`]);
    await valid(news.text, 'urlset');
    expect(news.text).toContain(
      '<news:title>Breaking: talks &amp; &lt;tensions&gt; in &quot;Moscow&quot;</news:title>',
    );
    clock.advance(2 * 60_000);
    await app.api.get('/sitemaps/news.xml').expect(404);
    expect(locs((await app.api.get('/sitemap.xml').expect(200)).text)).toEqual([
      `${site}/sitemaps/articles-2026-11.xml`,
    ]);
  });

  it('split past the per-file bounds, naming every part in the index', async () => {
    // The bounds are 50,000 and 1,000; set lower here, the same code splits at 3 and 2.
    const { app, clock, publish } = await setUp({
      sitemapUrlsPerFile: 3,
      newsSitemapUrlsPerFile: 2,
    });
    const slugs: string[] = [];
    for (let n = 0; n < 4; n += 1) {
      slugs.push((await publish(`Story number ${n}`)).slug);
      clock.advance(60_000);
    }
    const index = await app.api.get('/sitemap.xml').expect(200);
    await valid(index.text, 'index');
    expect(locs(index.text)).toEqual([
      `${site}/sitemaps/news.xml`,
      `${site}/sitemaps/news-2.xml`,
      `${site}/sitemaps/articles-2026-11.xml`,
      `${site}/sitemaps/articles-2026-11-2.xml`,
    ]);
    const first = await app.api.get('/sitemaps/articles-2026-11.xml').expect(200);
    const second = await app.api.get('/sitemaps/articles-2026-11-2.xml').expect(200);
    await valid(second.text, 'urlset');
    expect([...locs(first.text), ...locs(second.text)]).toEqual(
      slugs.map((slug) => `${site}/en/${slug}`),
    );
    const newest = await app.api.get('/sitemaps/news.xml').expect(200);
    const older = await app.api.get('/sitemaps/news-2.xml').expect(200);
    expect([...locs(newest.text), ...locs(older.text)]).toEqual(
      slugs.map((slug) => `${site}/en/${slug}`).reverse(),
    );
    await app.api.get('/sitemaps/news-3.xml').expect(404);
    await app.api.get('/sitemaps/articles-2026-11-3.xml').expect(404);
  });

  it('split at the real bounds: 50,001 in a month, 1,001 in 48 hours; a full month file is streamed', async () => {
    const { app } = await setUp();
    const { store } = app.app;
    const { articles } = store.tables;
    const october = Date.UTC(2026, 9, 1);
    const lastDay = Date.parse('2026-11-27T12:00:00.000Z');
    // Straight into the table: the sitemap reads only articles, and 51,002 API saves would take
    // minutes. Ids and slugs sort in publication order.
    const row = (n: number, at: number) => ({
      id: `art_${String(n).padStart(26, '0')}`,
      searchRowId: n,
      slug: `bulk-${String(n).padStart(6, '0')}`,
      headline: `Bulk story ${n}`,
      excerpt: 'Text.',
      body: 'Text.',
      bodyHtml: '<p>Text.</p>',
      wordCount: 1,
      readingTimeMinutes: 1,
      status: 'published' as const,
      publishedAt: new Date(at),
      createdAt: new Date(at),
      updatedAt: new Date(at),
    });
    const total = 50_001 + 1_001;
    for (let start = 1; start <= total; start += 1000) {
      const rows: Array<ReturnType<typeof row>> = [];
      for (let n = start; n < Math.min(start + 1000, total + 1); n += 1)
        rows.push(
          n <= 50_001 ? row(n, october + n * 30_000) : row(n, lastDay + (n - 50_001) * 1000),
        );
      await store.write((tx) => tx.insert(articles).values(rows));
    }

    const index = await app.api.get('/sitemap.xml').expect(200);
    expect(locs(index.text)).toEqual([
      `${site}/sitemaps/news.xml`,
      `${site}/sitemaps/news-2.xml`,
      `${site}/sitemaps/articles-2026-10.xml`,
      `${site}/sitemaps/articles-2026-10-2.xml`,
      `${site}/sitemaps/articles-2026-11.xml`,
    ]);

    // The event loop turns between batches of 100 while the file is made: a reader drains the
    // socket as fast as it is written, and the whole file once came out of one turn.
    let turns = 0;
    let counting = true;
    const count = () => {
      turns += 1;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    const full = await app.api.get('/sitemaps/articles-2026-10.xml').expect(200);
    counting = false;
    expect(turns).toBeGreaterThan(400);
    // Sent as it was produced: chunked, never held by the process cache, still public for CDNs.
    expect(full.headers['transfer-encoding']).toBe('chunked');
    expect(full.headers['content-length']).toBeUndefined();
    expect(full.headers['x-cache']).toBe('bypass');
    expect(full.headers['cache-control']).toMatch(/^public, max-age=/);
    expect(full.headers['surrogate-key']).toBe('articles');
    const fullLocs = locs(full.text);
    expect(fullLocs).toHaveLength(50_000);
    expect(fullLocs[0]).toBe(`${site}/en/bulk-000001`);
    expect(fullLocs.at(-1)).toBe(`${site}/en/bulk-050000`);
    await valid(full.text, 'urlset');
    const rest = await app.api.get('/sitemaps/articles-2026-10-2.xml').expect(200);
    expect(locs(rest.text)).toEqual([`${site}/en/bulk-050001`]);
    expect(rest.headers['x-cache']).toBe('miss');

    const news = await app.api.get('/sitemaps/news.xml').expect(200);
    const olderNews = await app.api.get('/sitemaps/news-2.xml').expect(200);
    await valid(news.text, 'urlset');
    expect(locs(news.text)).toHaveLength(1000);
    expect(locs(news.text)[0]).toBe(`${site}/en/bulk-${String(total).padStart(6, '0')}`);
    expect(locs(olderNews.text)).toEqual([`${site}/en/bulk-050002`]);
  }, 120_000);

  it('name every edition of a story with hreflang, reciprocally, itself and x-default included', async () => {
    const { app, as, clock, publish } = await setUp();
    const english = await publish('Moscow talks open');
    clock.advance(60_000);
    const russian = await publish('Переговоры в Москве');
    const single = await publish('A story in one language');
    const current = await app.api.get(`/v1/admin/articles/${russian.id}`).set(as).expect(200);
    await app.api
      .patch(`/v1/admin/articles/${russian.id}`)
      .set(as)
      .set('If-Match', `"${current.body.data.version}"`)
      .send({ language: 'ru' })
      .expect(200);
    const cached = await app.api.get('/sitemaps/articles-2026-11.xml').expect(200);
    await app.api
      .put(`/v1/admin/articles/${english.id}/translations/${russian.id}`)
      .set(as)
      .expect(200);

    const file = await app.api.get('/sitemaps/articles-2026-11.xml').expect(200);
    expect(file.text).not.toBe(cached.text);
    await valid(file.text, 'urlset');
    const en = `${site}/en/${english.slug}`;
    const ru = `${site}/ru/${russian.slug}`;
    const alternates = [
      `<xhtml:link rel="alternate" hreflang="en" href="${en}"/>`,
      `<xhtml:link rel="alternate" hreflang="ru" href="${ru}"/>`,
      // The first published edition is the original.
      `<xhtml:link rel="alternate" hreflang="x-default" href="${en}"/>`,
    ].join('');
    const entry = (loc: string) =>
      new RegExp(`<url><loc>${loc.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}</loc>.*?</url>`).exec(
        file.text,
      )?.[0] ?? '';
    expect(entry(en)).toContain(alternates);
    expect(entry(ru)).toContain(alternates);
    expect(entry(`${site}/en/${single.slug}`)).not.toContain('xhtml:link');
  });
});
