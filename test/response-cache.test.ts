import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResponseCache } from '../src/plugins/response-cache.ts';
import { bearer, createTestApp, manualClock, samplePhoto, type TestApp } from './helpers.ts';

// The in-process cache of public responses must never serve stale truth.

const clock = manualClock(new Date('2026-11-28T09:00:00.000Z'));
let t: TestApp;
let editor: string;

beforeAll(async () => {
  t = await createTestApp({ now: clock.now, config: { publicCacheMaxAge: 3600 } });
  editor = await t.token('editor');
});
afterAll(async () => t.close());

async function publish(fields: Record<string, unknown>, publishedAt?: string) {
  const created = await t.api
    .post('/v1/admin/articles')
    .set(bearer(editor))
    .send({ body: 'Text.', ...fields })
    .expect(201);
  const published = await t.api
    .post(`/v1/admin/articles/${created.body.data.id}/publish`)
    .set(bearer(editor))
    .set('If-Match', '"1"')
    .send(publishedAt === undefined ? {} : { publishedAt })
    .expect(200);
  return published.body.data as { id: string; slug: string; version: number };
}

const headlines = async (url: string) => {
  const response = await t.api.get(url).expect(200);
  return {
    headlines: (response.body.data as Array<{ headline: string }>).map((a) => a.headline),
    cache: response.headers['x-cache'],
  };
};

describe('response cache', () => {
  it('serves repeated reads from memory, with 304 for a matching ETag', async () => {
    await publish({ headline: 'Cached Story' });
    const first = await t.api.get('/v1/articles?limit=5').expect(200);
    expect(first.headers['x-cache']).toBe('miss');
    const second = await t.api.get('/v1/articles?limit=5').expect(200);
    expect(second.headers['x-cache']).toBe('hit');
    expect(second.text).toBe(first.text);
    expect(second.headers.etag).toBe(first.headers.etag);
    expect(second.headers['surrogate-key']).toBe(first.headers['surrogate-key']);
    const notModified = await t.api
      .get('/v1/articles?limit=5')
      .set('If-None-Match', first.headers.etag ?? '')
      .expect(304);
    expect(notModified.text).toBe('');
  });

  it('shows a scheduled article the moment it falls due, with no write in between', async () => {
    const dueAt = new Date(clock.now().getTime() + 60_000).toISOString();
    await publish({ headline: 'Embargoed Until Noon' }, dueAt);
    expect((await headlines('/v1/articles?limit=50')).headlines).not.toContain(
      'Embargoed Until Noon',
    );
    expect((await headlines('/v1/articles?limit=50')).cache).toBe('hit');
    clock.advance(60_000);
    const after = await headlines('/v1/articles?limit=50');
    expect(after.headlines).toContain('Embargoed Until Noon');
    expect(after.cache).toBe('miss');
  });

  it('drops an unpublished article from every cached response at once', async () => {
    const article = await publish({ headline: 'Soon Withdrawn' });
    await t.api.get(`/v1/articles/${article.slug}`).expect(200);
    await t.api.get(`/v1/articles/${article.slug}`).expect(200);
    expect((await headlines('/v1/articles?limit=50')).headlines).toContain('Soon Withdrawn');
    await t.api
      .post(`/v1/admin/articles/${article.id}/unpublish`)
      .set(bearer(editor))
      .set('If-Match', `"${article.version}"`)
      .expect(200);
    await t.api.get(`/v1/articles/${article.slug}`).expect(404);
    expect((await headlines('/v1/articles?limit=50')).headlines).not.toContain('Soon Withdrawn');
  });

  it('shows an edit at once on the article, lists and search', async () => {
    const article = await publish({ headline: 'Original Headline Quokka' });
    await t.api.get(`/v1/articles/${article.slug}`).expect(200);
    await t.api.get('/v1/articles?q=quokka').expect(200);
    await t.api
      .patch(`/v1/admin/articles/${article.id}`)
      .set(bearer(editor))
      .set('If-Match', `"${article.version}"`)
      .send({ headline: 'Revised Headline Quokka' })
      .expect(200);
    expect((await t.api.get(`/v1/articles/${article.slug}`).expect(200)).body.data.headline).toBe(
      'Revised Headline Quokka',
    );
    expect((await headlines('/v1/articles?q=quokka')).headlines).toEqual([
      'Revised Headline Quokka',
    ]);
  });

  it('follows edits of what articles embed: tag names, bylines, photo credits', async () => {
    const tag = (
      await t.api.post('/v1/admin/tags').set(bearer(editor)).send({ name: 'Kremlin' }).expect(201)
    ).body.data;
    const author = (
      await t.api
        .post('/v1/admin/authors')
        .set(bearer(editor))
        .send({ name: 'Ana Ruiz' })
        .expect(201)
    ).body.data;
    const photo = (
      await t.api.post('/v1/admin/photos').set(bearer(editor)).send(samplePhoto).expect(201)
    ).body.data;
    const article = await publish({
      headline: 'Embeds Story',
      tagIds: [tag.id],
      authorIds: [author.id],
      photoId: photo.id,
    });
    const url = `/v1/articles/${article.slug}`;
    const list = '/v1/articles?limit=50';
    // The story as the article page and the (cached) list show it.
    const shown = async () => {
      const single = (await t.api.get(url).expect(200)).body.data;
      const items = (await t.api.get(list).expect(200)).body.data as Array<{ id: string }>;
      return { single, listed: items.find((item) => item.id === article.id) };
    };
    await shown();
    expect((await t.api.get(url).expect(200)).headers['x-cache']).toBe('hit');
    expect((await t.api.get(list).expect(200)).headers['x-cache']).toBe('hit');

    await t.api
      .patch(`/v1/admin/tags/${tag.id}`)
      .set(bearer(editor))
      .send({ name: 'The Kremlin' })
      .expect(200);
    expect(await shown()).toMatchObject({
      single: { tags: [{ name: 'The Kremlin' }] },
      listed: { tags: [{ name: 'The Kremlin' }] },
    });
    await t.api
      .patch(`/v1/admin/authors/${author.id}`)
      .set(bearer(editor))
      .send({ name: 'Ana Ruiz Soto' })
      .expect(200);
    expect(await shown()).toMatchObject({
      single: { authors: [{ name: 'Ana Ruiz Soto' }] },
      listed: { authors: [{ name: 'Ana Ruiz Soto' }] },
    });
    await t.api
      .patch(`/v1/admin/photos/${photo.id}`)
      .set(bearer(editor))
      .send({ credit: { agency: 'Reuters' } })
      .expect(200);
    expect(await shown()).toMatchObject({
      single: { photo: { credit: { line: 'Reuters' } } },
      listed: { photo: { credit: { line: 'Reuters' } } },
    });
  });

  it('follows appeal windows and edits', async () => {
    const appeal = {
      name: 'Window',
      placement: 'cache-test',
      heading: 'Before',
      body: 'x',
      frequencies: [
        { frequency: 'once', currency: 'USD', suggestedAmounts: [500], minimumAmount: 200 },
      ],
      ctaLabel: 'Go',
      ctaUrl: 'https://example.org',
      dismissLabel: 'Later',
      remindAfterDays: 1,
      startsAt: new Date(clock.now().getTime() - 1000).toISOString(),
      endsAt: new Date(clock.now().getTime() + 30_000).toISOString(),
    };
    const created = (
      await t.api.post('/v1/admin/appeals').set(bearer(editor)).send(appeal).expect(201)
    ).body.data;
    await t.api.get('/v1/appeals/active?placement=cache-test').expect(200);
    await t.api
      .patch(`/v1/admin/appeals/${created.id}`)
      .set(bearer(editor))
      .send({ heading: 'After' })
      .expect(200);
    expect(
      (await t.api.get('/v1/appeals/active?placement=cache-test').expect(200)).body.data.heading,
    ).toBe('After');
    clock.advance(30_000);
    await t.api.get('/v1/appeals/active?placement=cache-test').expect(404);
  });
});

describe('the cache itself', () => {
  const entry = (keys: string[], expiresAt = Number.POSITIVE_INFINITY) => ({
    body: Buffer.from('{}'),
    etag: '"x"',
    contentType: 'application/json',
    surrogateKey: keys.join(' '),
    keys,
    expiresAt,
    contentExpiresAt: null,
  });

  it('refuses to store a response computed while a write was invalidating', () => {
    const cache = createResponseCache({ maxEntries: 10, maxAgeMs: 60_000, now: () => new Date(0) });
    const startedAt = cache.generation;
    cache.invalidate(['articles']);
    cache.store('/v1/articles', entry(['articles']), startedAt);
    expect(cache.lookup('/v1/articles', 0)).toBeUndefined();
    cache.store('/v1/articles', entry(['articles']), cache.generation);
    expect(cache.lookup('/v1/articles', 0)).toBeDefined();
  });

  it('stays bounded, evicting the least recently used', () => {
    const cache = createResponseCache({ maxEntries: 2, maxAgeMs: 60_000, now: () => new Date(0) });
    cache.store('/a', entry(['x']), 0);
    cache.store('/b', entry(['x']), 0);
    cache.lookup('/a', 0);
    cache.store('/c', entry(['y']), 0);
    expect(cache.size).toBe(2);
    expect(cache.lookup('/b', 0)).toBeUndefined();
    expect(cache.lookup('/a', 0)).toBeDefined();
    cache.invalidate(['x']);
    expect(cache.size).toBe(1);
  });

  it('stays within its byte budget', () => {
    const cache = createResponseCache({
      maxEntries: 100,
      maxBytes: 1000,
      maxAgeMs: 60_000,
      now: () => new Date(0),
    });
    for (let i = 0; i < 10; i += 1)
      cache.store(`/${i}`, { ...entry(['x']), body: Buffer.alloc(400, 'a') }, cache.generation);
    expect(cache.bytes).toBeLessThanOrEqual(1000);
    expect(cache.size).toBe(2);
    cache.store('/huge', { ...entry(['x']), body: Buffer.alloc(1200, 'a') }, cache.generation);
    expect(cache.lookup('/huge', 0)).toBeUndefined();
  });

  it('expires entries at their own deadline', () => {
    const cache = createResponseCache({ maxEntries: 2, maxAgeMs: 60_000, now: () => new Date(0) });
    cache.store('/a', entry(['x'], 1000), 0);
    expect(cache.lookup('/a', 999)).toBeDefined();
    expect(cache.lookup('/a', 1000)).toBeUndefined();
  });
});
