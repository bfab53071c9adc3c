import Database from 'better-sqlite3';
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
  samplePhoto,
  testConfig,
} from './helpers.ts';

// One app over a store whose statements are counted, so query counts can be asserted.
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
const ids: Record<string, string> = {};

async function publishArticle(fields: Record<string, unknown>, publishedAt?: string) {
  const created = await api
    .post('/v1/admin/articles')
    .set(bearer(editor))
    .send({ body: 'Text.', ...fields })
    .expect(201);
  const published = await api
    .post(`/v1/admin/articles/${created.body.data.id}/publish`)
    .set(bearer(editor))
    .set('If-Match', '"1"')
    .send(publishedAt === undefined ? {} : { publishedAt })
    .expect(200);
  return published.body.data as { id: string; slug: string; version: number };
}

beforeAll(async () => {
  // Searches on the main thread here, so their statements are counted too (the worker-thread
  // path has tests of its own in search.test.ts).
  app = await buildApp({ config: testConfig({ searchThreads: 0 }), store, now: clock.now });
  await app.ready();
  api = supertest(app.server);
  editor = (await app.services.tokens.create({ name: 'editor', role: 'editor' }, null)).token;
  for (const name of ['Russia', 'Syria', 'Turkey', 'Iran']) {
    ids[name] = (
      await api.post('/v1/admin/tags').set(bearer(editor)).send({ name }).expect(201)
    ).body.data.id;
  }
  ids.author = (
    await api
      .post('/v1/admin/authors')
      .set(bearer(editor))
      .send({ name: 'Mira Castellanos' })
      .expect(201)
  ).body.data.id;
  ids.photo = (
    await api.post('/v1/admin/photos').set(bearer(editor)).send(samplePhoto).expect(201)
  ).body.data.id;
});
afterAll(async () => {
  await app.close();
  await store.close();
  await database.remove();
});

describe('slugs', () => {
  it('transliterates a Russian headline, is unique per language, and 409s on a taken explicit slug', async () => {
    const ru = await api
      .post('/v1/admin/articles')
      .set(bearer(editor))
      .send({ headline: 'Москва готовит дорожную карту', language: 'ru' })
      .expect(201);
    expect(ru.body.data.slug).toBe('moskva-gotovit-dorozhnuyu-kartu');
    const en = await api
      .post('/v1/admin/articles')
      .set(bearer(editor))
      .send({ headline: 'Moskva gotovit dorozhnuyu kartu' })
      .expect(201);
    expect(en.body.data.slug).toBe('moskva-gotovit-dorozhnuyu-kartu');
    const again = await api
      .post('/v1/admin/articles')
      .set(bearer(editor))
      .send({ headline: 'Москва готовит дорожную карту', language: 'ru' })
      .expect(201);
    expect(again.body.data.slug).toBe('moskva-gotovit-dorozhnuyu-kartu-2');
    const taken = await api
      .post('/v1/admin/articles')
      .set(bearer(editor))
      .send({ headline: 'x', slug: 'moskva-gotovit-dorozhnuyu-kartu' })
      .expect(409);
    expect(taken.body.errors).toEqual([{ path: 'body.slug', message: expect.any(String) }]);
  });

  it('finds a slug in any language when ?language= is absent, English first', async () => {
    const ru = await publishArticle({ headline: 'Dvoynoy slug', language: 'ru' });
    await api.get('/v1/articles/dvoynoy-slug').expect(200);
    const en = await publishArticle({ headline: 'Dvoynoy slug' });
    expect((await api.get('/v1/articles/dvoynoy-slug').expect(200)).body.data.id).toBe(en.id);
    expect((await api.get('/v1/articles/dvoynoy-slug?language=ru').expect(200)).body.data.id).toBe(
      ru.id,
    );
    await api.get('/v1/articles/dvoynoy-slug?language=de').expect(404);
  });

  it('answers an old slug of a published article with a 301 to the new one', async () => {
    const article = await publishArticle({ headline: 'Roadmap Draft Announced' });
    await api
      .patch(`/v1/admin/articles/${article.id}`)
      .set(bearer(editor))
      .set('If-Match', '"2"')
      .send({ slug: 'syria-turkey-roadmap' })
      .expect(200);
    const moved = await api.get('/v1/articles/roadmap-draft-announced').expect(301);
    expect(moved.headers.location).toBe('/v1/articles/syria-turkey-roadmap');
    await api.get('/v1/articles/syria-turkey-roadmap').expect(200);
  });
});

describe('references', () => {
  it('rejects unknown author, tag and photo ids, naming each field', async () => {
    const response = await api
      .post('/v1/admin/articles')
      .set(bearer(editor))
      .send({
        headline: 'Bad refs',
        authorIds: [ids.author, 'aut_00000000000000000000000000'],
        tagIds: ['tag_00000000000000000000000000', ids.Russia],
        photoId: 'pho_00000000000000000000000000',
      })
      .expect(400);
    expect(
      (response.body.errors as Array<{ path: string }>).map((error) => error.path).sort(),
    ).toEqual(['body.authorIds.1', 'body.photoId', 'body.tagIds.0']);
  });

  it('refuses to delete a tag, author or photo an article uses (409)', async () => {
    await publishArticle({
      headline: 'Uses Everything',
      tagIds: [ids.Iran],
      authorIds: [ids.author],
      photoId: ids.photo,
    });
    await api.delete(`/v1/admin/tags/${ids.Iran}`).set(bearer(editor)).expect(409);
    await api.delete(`/v1/admin/authors/${ids.author}`).set(bearer(editor)).expect(409);
    await api.delete(`/v1/admin/photos/${ids.photo}`).set(bearer(editor)).expect(409);
  });
});

describe('Markdown', () => {
  it('renders CommonMark and makes raw HTML and dangerous links harmless', async () => {
    const body = [
      'A **bold** claim with a [source](https://example.org/a) and [mail](mailto:desk@example.org).',
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(1)>',
      '[click](javascript:alert(1)) [data](data:text/html;base64,PHNjcmlwdD4=) [tab](java\tscript:alert(1))',
      '![pic](javascript:alert(1))',
    ].join('\n\n');
    const created = await api
      .post('/v1/admin/articles')
      .set(bearer(editor))
      .send({ headline: 'Markdown safety', body })
      .expect(201);
    const html = created.body.data.bodyHtml as string;
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('<a href="https://example.org/a">source</a>');
    expect(html).toContain('<a href="mailto:desk@example.org">mail</a>');
    expect(html).not.toMatch(
      /<script|<img|href="javascript|href="data|href="java\s|src="javascript/i,
    );
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;script&gt;');
  });

  it('refuses a body that would render to more HTML than the bound, storing nothing', async () => {
    // A link reference defined once with a long URL and used 45,000 times: 200 KB of Markdown,
    // about 50 MB of HTML.
    const body = `[a]: https://example.org/${'x'.repeat(1000)}\n\n${'[a] '.repeat(45_000)}`;
    expect(body.length).toBeLessThanOrEqual(200_000);
    const before = await api.get('/v1/admin/articles?limit=1').set(bearer(editor)).expect(200);
    const refused = await api
      .post('/v1/admin/articles')
      .set(bearer(editor))
      .send({ headline: 'Amplified', body })
      .expect(400);
    expect(refused.body.errors).toEqual([
      { path: 'body.body', message: expect.stringContaining('at most 1500000') },
    ]);
    const after = await api.get('/v1/admin/articles?limit=1').set(bearer(editor)).expect(200);
    expect(after.body.meta.total).toBe(before.body.meta.total);
    // The worst plain escaping (every character a quote) is still accepted.
    await api
      .post('/v1/admin/articles')
      .set(bearer(editor))
      .send({ headline: 'Quotes', body: '"'.repeat(200_000) })
      .expect(201);
  });
});

describe('public lists', () => {
  it('embed bylines, tags in order and the lead photo with its credit', async () => {
    const article = await publishArticle({
      headline: 'Embedded Everything',
      authorIds: [ids.author],
      tagIds: [ids.Syria, ids.Russia],
      photoId: ids.photo,
    });
    const page = await api.get('/v1/articles?limit=100').expect(200);
    const item = (page.body.data as Array<Record<string, unknown>>).find(
      (a) => a.id === article.id,
    );
    expect(item).toMatchObject({
      authors: [{ slug: 'mira-castellanos', name: 'Mira Castellanos' }],
      tags: [{ slug: 'syria' }, { slug: 'russia' }],
      photo: { caption: samplePhoto.caption, credit: { line: 'Valery Sharifulin / TASS' } },
    });
    // A list depends on which articles are public and on its lead photos; a rename of a tag or
    // author shown in it purges `articles` too (content-keys.ts), so their keys are not listed.
    const listKeys = String(page.headers['surrogate-key']).split(' ');
    expect(listKeys[0]).toBe('articles');
    expect(listKeys).toContain(`photo:${ids.photo}`);
    expect(listKeys.every((key) => key === 'articles' || key.startsWith('photo:'))).toBe(true);
  });

  it('filter by tag, author, language and publication window', async () => {
    const a = await publishArticle(
      { headline: 'Filter A', tagIds: [ids.Turkey], authorIds: [ids.author] },
      '2026-01-10T00:00:00.000Z',
    );
    const b = await publishArticle(
      { headline: 'Filter B', tagIds: [ids.Turkey] },
      '2026-02-10T00:00:00.000Z',
    );
    const c = await publishArticle(
      { headline: 'Filter C', tagIds: [ids.Turkey], language: 'ru' },
      '2026-03-10T00:00:00.000Z',
    );
    const list = async (query: string) =>
      (
        (await api.get(`/v1/articles?limit=100&${query}`).expect(200)).body.data as Array<{
          id: string;
        }>
      ).map((x) => x.id);
    expect(await list('tag=turkey')).toEqual([c.id, b.id, a.id]);
    expect(await list('tag=turkey&language=en')).toEqual([b.id, a.id]);
    expect(await list('tag=turkey&author=mira-castellanos')).toEqual([a.id]);
    expect(
      await list(
        'tag=turkey&publishedAfter=2026-02-01T00:00:00.000Z&publishedBefore=2026-03-10T00:00:00.000Z',
      ),
    ).toEqual([b.id]);
    expect(await list('tag=no-such-tag')).toEqual([]);
  });

  it('page with a cursor that stays stable while new articles are published', async () => {
    for (let i = 0; i < 5; i += 1)
      await publishArticle(
        { headline: `Paging ${i}`, tagIds: [ids.Iran] },
        `2025-06-0${i + 1}T00:00:00.000Z`,
      );
    const first = await api.get('/v1/articles?tag=iran&limit=2').expect(200);
    await publishArticle({ headline: 'Breaking in between', tagIds: [ids.Iran] });
    const seen = (first.body.data as Array<{ slug: string }>).map((a) => a.slug);
    let cursor = first.body.meta.nextCursor as string | null;
    while (cursor !== null) {
      const next = await api.get(`/v1/articles?tag=iran&limit=2&cursor=${cursor}`).expect(200);
      seen.push(...(next.body.data as Array<{ slug: string }>).map((a) => a.slug));
      cursor = next.body.meta.nextCursor as string | null;
    }
    const paging = seen.filter((slug) => slug.startsWith('paging-'));
    expect(paging).toEqual(['paging-4', 'paging-3', 'paging-2', 'paging-1', 'paging-0']);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).not.toContain('breaking-in-between');
  });

  it('cost the same number of SQL statements for 1 item as for 50', async () => {
    for (let i = 0; i < 50; i += 1)
      await publishArticle({
        headline: `Bulk ${i}`,
        tagIds: [ids.Russia, ids.Syria],
        authorIds: [ids.author],
        photoId: ids.photo,
      });
    const count = async (url: string) => {
      statements = [];
      await api.get(url).expect(200);
      return statements.length;
    };
    const one = await count('/v1/articles?limit=1');
    const fifty = await count('/v1/articles?limit=50');
    // The page, bylines, tags, and when the next scheduled article falls due (cache lifetime).
    expect(one).toBeLessThanOrEqual(4);
    expect(fifty).toBe(one);
    expect(await count('/v1/articles?limit=50&tag=russia')).toBe(one);
    expect(await count('/v1/articles?limit=1&q=bulk')).toBe(
      await count('/v1/articles?limit=40&q=bulk'),
    );
  });

  // SQLite's plans are fixed by the schema; PostgreSQL's depend on table statistics (a table of
  // a few rows is read whole), so its plans are checked by the bench at 10,000 articles instead.
  it.skipIf(onPostgres)(
    'walk an index in order: no full scan and no sort, whatever the archive size',
    async () => {
      const explain = new Database(database.config.databasePath, { readonly: true });
      const planOf = async (url: string) => {
        statements = [];
        await api.get(url).expect(200);
        // The page query; a search first checks (one index probe) for newly due articles.
        const pageQuery = statements.find((statement) => !statement.includes('in_public_search'));
        const unbound = Array<null>((pageQuery?.match(/\?/g) ?? []).length).fill(null);
        return (
          explain.prepare(`EXPLAIN QUERY PLAN ${pageQuery}`).all(...unbound) as Array<{
            detail: string;
          }>
        )
          .map((row) => row.detail)
          .join(' | ');
      };
      for (const url of [
        '/v1/articles',
        '/v1/articles?tag=russia',
        '/v1/articles?author=mira-castellanos',
        '/v1/articles?language=en&publishedAfter=2020-01-01T00:00:00.000Z',
      ]) {
        const plan = await planOf(url);
        expect(plan, url).not.toMatch(/SCAN (articles|article_tags|article_authors)\b(?! VIRTUAL)/);
        expect(plan, url).not.toContain('TEMP B-TREE');
      }
      const searchPlan = await planOf('/v1/articles?q=bulk&language=en&tag=russia');
      // Ranked inside the full-text index first; articles are then looked up by key.
      expect(searchPlan).toMatch(/SCAN articles_public_search VIRTUAL TABLE/);
      expect(searchPlan).toMatch(/SEARCH articles USING INDEX articles_search_row_id_unique/);
      expect(searchPlan).not.toMatch(/SCAN articles\b(?!_public_search)/);
      // The check for newly due articles before each search is one probe of its own index (with
      // the status index instead it read every published row: 54 uncached searches/s at 10k).
      statements = [];
      await api.get('/v1/articles?q=bulk+again').expect(200);
      const dueCheck = statements.find((statement) => statement.includes('in_public_search'));
      const duePlan = explain
        .prepare(`EXPLAIN QUERY PLAN ${dueCheck}`)
        .all(...Array<null>((dueCheck?.match(/\?/g) ?? []).length).fill(null)) as Array<{
        detail: string;
      }>;
      expect(duePlan.map((row) => row.detail).join(' | ')).toContain(
        'articles_public_search_pending_idx (in_public_search=? AND status=?',
      );
      explain.close();
    },
  );

  it('send an ETag and answer If-None-Match with 304', async () => {
    const first = await api.get('/v1/articles?limit=5').expect(200);
    await api
      .get('/v1/articles?limit=5')
      .set('If-None-Match', first.headers.etag ?? '')
      .expect(304);
  });
});

describe('search', () => {
  it('ranks a headline match above a body match and follows edits', async () => {
    const inBody = await publishArticle({
      headline: 'Ministers gather',
      body: 'They discussed a reconciliation proposal at length.',
    });
    const inHeadline = await publishArticle({
      headline: 'Reconciliation proposal unveiled',
      body: 'Details were scarce.',
    });
    const search = async (q: string) =>
      (
        (await api.get(`/v1/articles?q=${encodeURIComponent(q)}`).expect(200)).body.data as Array<{
          id: string;
        }>
      ).map((a) => a.id);
    expect(await search('reconciliation')).toEqual([inHeadline.id, inBody.id]);
    expect(await search('"reconciliation proposal"')).toEqual([inHeadline.id, inBody.id]);
    expect(await search('reconciliation -scarce')).toEqual([inBody.id]);
    expect(await search('reconcil*')).toHaveLength(2);

    await api
      .patch(`/v1/admin/articles/${inBody.id}`)
      .set(bearer(editor))
      .set('If-Match', `"${inBody.version}"`)
      .send({ body: 'Nothing about that any more.' })
      .expect(200);
    expect(await search('reconciliation')).toEqual([inHeadline.id]);
  });

  it.each([
    'rain" OR',
    'Moscow -metro',
    '"',
    '-',
    'NOT',
    'a AND OR NEAR(',
    '*',
    '"unterminated',
    ')(',
    'столица',
  ])('answers %j with 200, never a 5xx', async (q) => {
    await api.get(`/v1/articles?q=${encodeURIComponent(q)}`).expect(200);
    await api
      .get(`/v1/admin/articles?q=${encodeURIComponent(q)}`)
      .set(bearer(editor))
      .expect(200);
  });

  it('refuses a NUL in the query with a 400 naming it (no backend can compare it)', async () => {
    const refused = await api.get('/v1/articles?q=%00').expect(400);
    expect(refused.body.errors).toEqual([
      { path: 'query.q', message: 'Must not contain the NUL character (U+0000).' },
    ]);
  });
});

describe('visibility', () => {
  it('keeps drafts, scheduled and archived articles off every public route (404, not 403)', async () => {
    await api
      .post('/v1/admin/articles')
      .set(bearer(editor))
      .send({ headline: 'Secret Draft Zebra', tagIds: [ids.Syria] })
      .expect(201);
    const scheduled = await api
      .post('/v1/admin/articles')
      .set(bearer(editor))
      .send({ headline: 'Future Zebra', tagIds: [ids.Syria] })
      .expect(201);
    await api
      .post(`/v1/admin/articles/${scheduled.body.data.id}/publish`)
      .set(bearer(editor))
      .set('If-Match', '"1"')
      .send({ publishedAt: '2030-01-01T00:00:00.000Z' })
      .expect(200);
    const archived = await publishArticle({ headline: 'Archived Zebra', tagIds: [ids.Syria] });
    await api
      .post(`/v1/admin/articles/${archived.id}/archive`)
      .set(bearer(editor))
      .set('If-Match', '"2"')
      .expect(200);
    const visible = await publishArticle({ headline: 'Visible Zebra', tagIds: [ids.Syria] });

    for (const slug of ['secret-draft-zebra', 'future-zebra', 'archived-zebra']) {
      await api.get(`/v1/articles/${slug}`).expect(404);
      await api.get(`/v1/articles/${slug}/related`).expect(404);
    }
    const search = await api.get('/v1/articles?q=zebra').expect(200);
    expect((search.body.data as Array<{ id: string }>).map((a) => a.id)).toEqual([visible.id]);
    const related = await api.get('/v1/articles/visible-zebra/related?limit=10').expect(200);
    const relatedSlugs = (related.body.data as Array<{ slug: string }>).map((a) => a.slug);
    expect(relatedSlugs).not.toEqual(expect.arrayContaining(['secret-draft-zebra']));
    expect(relatedSlugs.filter((slug) => slug.includes('zebra'))).toEqual([]);
    const all = JSON.stringify((await api.get('/v1/articles?limit=100').expect(200)).body);
    expect(all).not.toMatch(/Secret Draft Zebra|Future Zebra|Archived Zebra/);
  });
});

describe('related', () => {
  it('ranks by shared tags, then recency, never itself', async () => {
    const tag = async (name: string) =>
      (await api.post('/v1/admin/tags').set(bearer(editor)).send({ name }).expect(201)).body.data
        .id as string;
    const [alpha, beta, gamma] = [await tag('Alpha'), await tag('Beta'), await tag('Gamma')];
    const base = await publishArticle(
      { headline: 'Related Base', tagIds: [alpha, beta, gamma] },
      '2024-01-05T00:00:00.000Z',
    );
    const one = await publishArticle(
      { headline: 'Shares One Newest', tagIds: [gamma] },
      '2024-01-04T00:00:00.000Z',
    );
    const twoOld = await publishArticle(
      { headline: 'Shares Two Older', tagIds: [alpha, beta] },
      '2023-06-01T00:00:00.000Z',
    );
    const twoNew = await publishArticle(
      { headline: 'Shares Two Newer', tagIds: [beta, gamma] },
      '2023-12-01T00:00:00.000Z',
    );
    const three = await publishArticle(
      { headline: 'Shares Three', tagIds: [gamma, beta, alpha] },
      '2020-01-01T00:00:00.000Z',
    );
    const response = await api.get('/v1/articles/related-base/related?limit=10').expect(200);
    const related = (response.body.data as Array<{ id: string }>).map((a) => a.id);
    expect(related.slice(0, 4)).toEqual([three.id, twoNew.id, twoOld.id, one.id]);
    expect(related).not.toContain(base.id);
    // The remaining slots go to the newest articles that share nothing.
    expect(related).toHaveLength(10);
    const defaults = await api.get('/v1/articles/related-base/related').expect(200);
    expect((defaults.body.data as Array<{ id: string }>).map((a) => a.id)).toEqual([
      three.id,
      twoNew.id,
      twoOld.id,
    ]);
  });
});
