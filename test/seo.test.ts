import { afterEach, describe, expect, it } from 'vitest';
import { bearer, createTestApp, samplePhoto, type TestApp } from './helpers.ts';

// Search and social overrides over HTTP: stored as set (editor API), resolved with their
// fallbacks on the public article, honoured by sitemaps and JSON-LD, kept in revisions, and
// re-rendered when the card photo changes.

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const site = 'https://news.example.org';

async function setUp() {
  const app = await createTestApp({ config: { siteUrl: site } });
  t = app;
  const as = bearer(await app.token('editor'));
  const photo = async (url: string) =>
    (
      await app.api
        .post('/v1/admin/photos')
        .set(as)
        .send({ ...samplePhoto, url })
        .expect(201)
    ).body.data as { id: string };
  const lead = await photo('https://cdn.example.org/lead.jpg');
  const card = await photo('https://cdn.example.org/card.jpg');
  const publish = async (body: Record<string, unknown>) => {
    const created = await app.api
      .post('/v1/admin/articles')
      .set(as)
      .send({ headline: 'Ministers meet in Moscow', body: 'Text of the story.', ...body })
      .expect(201);
    const published = await app.api
      .post(`/v1/admin/articles/${created.body.data.id}/publish`)
      .set(as)
      .set('If-Match', '"1"')
      .send({})
      .expect(200);
    return published.body.data as { id: string; slug: string; version: number };
  };
  const patch = (id: string, version: number, body: Record<string, unknown>) =>
    app.api.patch(`/v1/admin/articles/${id}`).set(as).set('If-Match', `"${version}"`).send(body);
  const sitemapLocs = async () => {
    const index = await app.api.get('/sitemap.xml').expect(200);
    const files = [...index.text.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1] ?? '');
    const found: string[] = [];
    for (const file of files.filter((loc) => !loc.endsWith('/pages.xml'))) {
      const xml = await app.api.get(new URL(file).pathname).expect(200);
      found.push(...[...xml.text.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1] ?? ''));
    }
    return found;
  };
  return { app, as, lead, card, publish, patch, sitemapLocs };
}

describe('SEO and social fields', () => {
  it('fall back to the headline, dek, canonical URL and lead photo when unset', async () => {
    const { app, lead, publish } = await setUp();
    const article = await publish({ dek: 'Four ministers, one table.', photoId: lead.id });
    const admin = await app.api
      .get(`/v1/admin/articles/${article.id}`)
      .set(bearer(await app.token('editor')))
      .expect(200);
    expect(admin.body.data.seo).toEqual({
      title: null,
      description: null,
      canonicalUrl: null,
      noindex: false,
    });
    expect(admin.body.data.social).toEqual({ title: null, description: null, photoId: null });

    const response = await app.api.get(`/v1/articles/${article.slug}`).expect(200);
    const shown = response.body.data;
    expect(shown.seo).toEqual({
      title: 'Ministers meet in Moscow',
      description: 'Four ministers, one table.',
      canonicalUrl: shown.url,
      noindex: false,
    });
    expect(shown.social.title).toBe('Ministers meet in Moscow');
    expect(shown.social.description).toBe('Four ministers, one table.');
    expect(shown.social.photo.id).toBe(lead.id);
    // Lists stay lean: the overrides are on the article only.
    const list = await app.api.get('/v1/articles').expect(200);
    expect(list.body.data[0]).not.toHaveProperty('seo');
  });

  it('show each override, merge edits field by field, and clear with null', async () => {
    const { app, lead, card, publish, patch } = await setUp();
    const article = await publish({
      photoId: lead.id,
      seo: { title: 'Moscow talks: what was agreed', description: 'A roadmap for two neighbours.' },
      social: { title: 'A roadmap is born', photoId: card.id },
    });
    let shown = (await app.api.get(`/v1/articles/${article.slug}`).expect(200)).body.data;
    expect(shown.seo.title).toBe('Moscow talks: what was agreed');
    expect(shown.seo.description).toBe('A roadmap for two neighbours.');
    expect(shown.social).toMatchObject({
      title: 'A roadmap is born',
      // No social description: the SEO one.
      description: 'A roadmap for two neighbours.',
      photo: { id: card.id, url: 'https://cdn.example.org/card.jpg' },
    });
    expect(shown.photo.id).toBe(lead.id);

    // Only the field sent changes.
    const edited = await patch(article.id, article.version, {
      seo: { description: 'Deputies will draft the roadmap.' },
    }).expect(200);
    expect(edited.body.data.seo).toEqual({
      title: 'Moscow talks: what was agreed',
      description: 'Deputies will draft the roadmap.',
      canonicalUrl: null,
      noindex: false,
    });
    expect(edited.body.data.social.photoId).toBe(card.id);

    // null clears: back to the article's own.
    await patch(article.id, edited.body.data.version, {
      seo: { title: null },
      social: { title: null, photoId: null },
    }).expect(200);
    shown = (await app.api.get(`/v1/articles/${article.slug}`).expect(200)).body.data;
    expect(shown.seo.title).toBe('Ministers meet in Moscow');
    expect(shown.social.title).toBe('Ministers meet in Moscow');
    expect(shown.social.description).toBe('Deputies will draft the roadmap.');
    expect(shown.social.photo.id).toBe(lead.id);
  });

  it('refuse bad values, naming each field, and an unknown card photo', async () => {
    const { app, as, publish, patch } = await setUp();
    const bad = await app.api
      .post('/v1/admin/articles')
      .set(as)
      .send({
        headline: 'A',
        seo: {
          title: 'x'.repeat(301),
          canonicalUrl: 'javascript:alert(1)',
          noindex: 'yes',
          robots: 'none',
        },
        social: { description: '   ' },
      })
      .expect(400);
    const paths = (bad.body.errors as Array<{ path: string }>).map((error) => error.path).sort();
    expect(paths).toEqual(
      expect.arrayContaining([
        'body.seo.title',
        'body.seo.canonicalUrl',
        'body.seo.noindex',
        'body.social.description',
      ]),
    );
    expect(paths.some((path) => path.startsWith('body.seo'))).toBe(true);

    const local = await app.api
      .post('/v1/admin/articles')
      .set(as)
      .send({ headline: 'A', seo: { canonicalUrl: 'http://localhost/a' } })
      .expect(400);
    expect(local.body.errors).toEqual([
      { path: 'body.seo.canonicalUrl', message: expect.any(String) },
    ]);

    const article = await publish({});
    const unknown = await patch(article.id, article.version, {
      social: { photoId: 'pho_01jz0000000000000000000000' },
    }).expect(400);
    expect(unknown.body.errors).toEqual([
      { path: 'body.social.photoId', message: 'No photo with that id.' },
    ]);
    // Nothing was stored.
    const after = await app.api.get(`/v1/admin/articles/${article.id}`).set(as).expect(200);
    expect(after.body.data.version).toBe(article.version);
  });

  it('re-render the article when its card photo changes, and keep that photo from deletion', async () => {
    const { app, as, card, publish } = await setUp();
    const article = await publish({ social: { photoId: card.id } });
    const first = await app.api.get(`/v1/articles/${article.slug}`).expect(200);
    expect(first.headers['surrogate-key']?.split(' ')).toContain(`photo:${card.id}`);
    expect(first.body.data.social.photo.caption).toBe(samplePhoto.caption);

    await app.api
      .patch(`/v1/admin/photos/${card.id}`)
      .set(as)
      .send({ caption: 'The ministers after the talks.' })
      .expect(200);
    const second = await app.api.get(`/v1/articles/${article.slug}`).expect(200);
    expect(second.body.data.social.photo.caption).toBe('The ministers after the talks.');
    expect(second.headers.etag).not.toBe(first.headers.etag);

    await app.api.delete(`/v1/admin/photos/${card.id}`).set(as).expect(409);
  });

  it('keep noindex articles and syndicated copies out of sitemaps, and name the original in JSON-LD', async () => {
    const { app, publish, patch, sitemapLocs } = await setUp();
    const own = await publish({ headline: 'Our own story' });
    const hidden = await publish({ headline: 'A page for readers only', seo: { noindex: true } });
    const copy = await publish({
      headline: 'A wire copy',
      seo: { canonicalUrl: 'https://wire.example.com/original-story' },
    });
    const url = async (slug: string) =>
      (await app.api.get(`/v1/articles/${slug}`).expect(200)).body.data.url as string;
    const urls = {
      own: await url(own.slug),
      hidden: await url(hidden.slug),
      copy: await url(copy.slug),
    };

    let locs = await sitemapLocs();
    expect(locs).toContain(urls.own);
    expect(locs).not.toContain(urls.hidden);
    expect(locs).not.toContain(urls.copy);
    expect(locs).not.toContain('https://wire.example.com/original-story');

    const jsonld = await app.api.get(`/v1/articles/${copy.slug}/jsonld`).expect(200);
    const structured = JSON.parse(jsonld.text) as {
      url: string;
      mainEntityOfPage: { '@id': string };
    };
    expect(structured.url).toBe('https://wire.example.com/original-story');
    expect(structured.mainEntityOfPage['@id']).toBe('https://wire.example.com/original-story');
    const shown = (await app.api.get(`/v1/articles/${hidden.slug}`).expect(200)).body.data;
    expect(shown.seo.noindex).toBe(true);

    // Lifting noindex puts it back at once (the cached sitemap is dropped by the write).
    await patch(hidden.id, hidden.version, { seo: { noindex: false } }).expect(200);
    locs = await sitemapLocs();
    expect(locs).toContain(urls.hidden);
  });

  it('are kept in revisions and restored with the words', async () => {
    const { app, as, card, publish, patch } = await setUp();
    const article = await publish({
      seo: { title: 'First SEO title', noindex: true },
      social: { photoId: card.id },
    });
    const edited = await patch(article.id, article.version, {
      seo: { title: 'Second SEO title', noindex: false },
      social: { photoId: null },
    }).expect(200);
    const revisions = await app.api
      .get(`/v1/admin/articles/${article.id}/revisions`)
      .set(as)
      .expect(200);
    const kept = (
      revisions.body.data as Array<{ id: string; version: number; seo: { title: string | null } }>
    ).find((revision) => revision.version === article.version);
    expect(kept?.seo).toEqual({
      title: 'First SEO title',
      description: null,
      canonicalUrl: null,
      noindex: true,
    });
    const restored = await app.api
      .post(`/v1/admin/articles/${article.id}/revisions/${kept?.id ?? ''}/restore`)
      .set(as)
      .set('If-Match', `"${edited.body.data.version}"`)
      .expect(200);
    expect(restored.body.data.seo.title).toBe('First SEO title');
    expect(restored.body.data.seo.noindex).toBe(true);
    expect(restored.body.data.social.photoId).toBe(card.id);
  });
});
