import { afterEach, describe, expect, it } from 'vitest';
import {
  bearer,
  createTestApp,
  manualClock,
  receiver,
  samplePhoto,
  type TestApp,
} from './helpers.ts';

// Embargoes over HTTP, as a matrix: every public surface, one second before the lift and one
// second after, on the test's clock. Before, the article is nowhere; after, everywhere, first
// published at the lift, announced once.

let t: TestApp | undefined;
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await t?.close();
  t = undefined;
});

const site = 'https://news.example.org';
const second = 1000;
const start = new Date('2026-11-28T09:00:00.000Z');
const lift = new Date('2026-11-28T11:00:00.000Z');

async function setUp() {
  const clock = manualClock(start);
  const app = await createTestApp({
    now: clock.now,
    config: { siteUrl: site, webhooksAllowPrivateTargets: true },
  });
  t = app;
  const editor = bearer(await app.token('editor'));
  const hook = await receiver();
  closers.push(hook.close);
  await app.api
    .post('/v1/admin/webhooks')
    .set(editor)
    .send({ url: hook.url, events: ['article.*'] })
    .expect(201);
  const create = async (path: string, body: Record<string, unknown>) =>
    (await app.api.post(path).set(editor).send(body).expect(201)).body.data as {
      id: string;
      slug: string;
      version: number;
    };
  const versioned = async (
    method: 'post' | 'put' | 'patch' | 'delete',
    path: string,
    version: number,
    body?: Record<string, unknown>,
    status = 200,
  ) =>
    (
      await app.api[method](path)
        .set(editor)
        .set('If-Match', `"${version}"`)
        .send(body)
        .expect(status)
    ).body.data as { id: string; slug: string; version: number; status: string };
  const published = (): Array<{ type: string; data: { id: string; publishedAt: string } }> =>
    hook.received
      .map(
        (message) =>
          JSON.parse(message.body) as { type: string; data: { id: string; publishedAt: string } },
      )
      .filter((message) => message.type === 'article.published');
  return { app, clock, editor, hook, create, versioned, published };
}

describe('embargoes', () => {
  it('keep an article off every public surface until the lift, and put it on all of them after', async () => {
    const { app, clock, editor, create, versioned, published } = await setUp();
    const author = await create('/v1/admin/authors', { name: 'Wire Desk' });
    const tag = await create('/v1/admin/tags', { name: 'Embargoed topic' });
    const shared = await create('/v1/admin/tags', { name: 'Diplomacy' });
    // A visible neighbour: "Read more" from it would show the embargoed story.
    const neighbour = await create('/v1/admin/articles', {
      headline: 'Ministers prepare for talks',
      body: 'Preparations continue.',
      tagIds: [shared.id],
    });
    const shownNeighbour = await versioned(
      'post',
      `/v1/admin/articles/${neighbour.id}/publish`,
      neighbour.version,
      {},
    );
    const draft = await create('/v1/admin/articles', {
      headline: 'Zephyrine accord signed under embargo',
      body: 'The zephyrine accord text.',
      authorIds: [author.id],
      tagIds: [shared.id, tag.id],
    });
    const held = await versioned('put', `/v1/admin/articles/${draft.id}/embargo`, draft.version, {
      until: lift.toISOString(),
      source: 'Wire agency',
      note: 'Not before 11:00 UTC',
    });
    // Published at once, but held by the embargo: scheduled for the lift.
    const story = await versioned(
      'post',
      `/v1/admin/articles/${draft.id}/publish`,
      held.version,
      {},
    );
    expect(story.status).toBe('scheduled');
    const admin = await app.api.get(`/v1/admin/articles/${story.id}`).set(editor).expect(200);
    expect(admin.body.data.embargo).toEqual({
      until: lift.toISOString(),
      source: 'Wire agency',
      note: 'Not before 11:00 UTC',
    });
    expect(admin.body.data.publishedAt).toBe(lift.toISOString());
    // Renamed while embargoed: the old address must not answer early either.
    const renamed = await versioned('patch', `/v1/admin/articles/${story.id}`, story.version, {
      slug: 'zephyrine-accord',
    });
    const oldSlug = story.slug;
    const url = `${site}/en/zephyrine-accord`;
    // A front that pins it ahead of time, and a section whose rule would take it.
    const front = await create('/v1/admin/collections', {
      name: 'Embargo front',
      language: 'en',
      items: [{ articleId: story.id, headline: 'Accord signed' }],
    });
    const section = await create('/v1/admin/collections', {
      name: 'Embargo section',
      language: 'en',
      backfill: { tagIds: [tag.id] },
    });
    const inCollection = (response: {
      status: number;
      body: { data?: { items?: Array<{ article: { id: string } }> } };
    }) =>
      response.status === 200 &&
      (response.body.data?.items ?? []).some((item) => item.article.id === story.id);

    const surfaces: Array<[string, () => Promise<boolean>]> = [
      [
        'the article by slug',
        async () => (await app.api.get('/v1/articles/zephyrine-accord')).status === 200,
      ],
      [
        'the article by slug and language',
        async () => (await app.api.get('/v1/articles/zephyrine-accord?language=en')).status === 200,
      ],
      ['its old slug', async () => (await app.api.get(`/v1/articles/${oldSlug}`)).status === 301],
      [
        'its JSON-LD',
        async () => (await app.api.get('/v1/articles/zephyrine-accord/jsonld')).status === 200,
      ],
      ['the list', async () => listed(await app.api.get('/v1/articles'))],
      ['the tag list', async () => listed(await app.api.get(`/v1/articles?tag=${tag.slug}`))],
      [
        'the author list',
        async () => listed(await app.api.get(`/v1/articles?author=${author.slug}`)),
      ],
      ['search', async () => listed(await app.api.get('/v1/articles?q=zephyrine'))],
      [
        '"Read more"',
        async () => listed(await app.api.get(`/v1/articles/${shownNeighbour.slug}/related`)),
      ],
      ['the tag page', async () => (await app.api.get(`/v1/tags/${tag.slug}`)).status === 200],
      [
        'the author page',
        async () => (await app.api.get(`/v1/authors/${author.slug}`)).status === 200,
      ],
      [
        'the tags list',
        async () => JSON.stringify((await app.api.get('/v1/tags')).body).includes(tag.id),
      ],
      [
        'the site feed',
        async () => (await app.api.get('/v1/feeds/articles.rss')).text.includes(story.id),
      ],
      [
        'the tag feed',
        async () => (await app.api.get(`/v1/feeds/tags/${tag.slug}.atom`)).text.includes(story.id),
      ],
      [
        'the month sitemap',
        async () => (await app.api.get('/sitemaps/articles-2026-11.xml')).text.includes(url),
      ],
      [
        'a front pinning it',
        async () => inCollection(await app.api.get(`/v1/collections/${front.slug}`)),
      ],
      [
        'a section its tag fills',
        async () => inCollection(await app.api.get(`/v1/collections/${section.slug}`)),
      ],
      [
        'the news sitemap',
        async () => (await app.api.get('/sitemaps/news.xml')).text.includes(url),
      ],
    ];
    const listed = (response: { status: number; body: { data?: Array<{ id: string }> } }) =>
      response.status === 200 && (response.body.data ?? []).some((item) => item.id === story.id);
    const visibility = async () =>
      Object.fromEntries(
        await Promise.all(surfaces.map(async ([name, check]) => [name, await check()])),
      );
    const everywhere = (value: boolean) =>
      Object.fromEntries(surfaces.map(([name]) => [name, value]));

    // Shared caches may not keep an answer past the lift.
    clock.advance(lift.getTime() - start.getTime() - 30 * second);
    const list = await app.api.get('/v1/articles').expect(200);
    expect(list.headers['cache-control']).toBe('public, max-age=30');

    clock.advance(29 * second);
    expect(await visibility()).toEqual(everywhere(false));
    // A preview still opens it for the desk.
    const link = await app.api
      .post(`/v1/admin/articles/${story.id}/preview`)
      .set(editor)
      .send({})
      .expect(201);
    await app.api.get(`/v1/preview/articles/${story.id}?token=${link.body.data.token}`).expect(200);
    await app.app.services.webhooks.relay.deliverDue();
    expect(published().filter((message) => message.data.id === story.id)).toEqual([]);

    clock.advance(2 * second);
    expect(await visibility()).toEqual(everywhere(true));
    const shown = await app.api.get('/v1/articles/zephyrine-accord').expect(200);
    expect(shown.body.data.publishedAt).toBe(lift.toISOString());
    await app.app.services.webhooks.relay.deliverDue();
    clock.advance(60 * second);
    await app.app.services.webhooks.relay.deliverDue();
    const announced = published().filter((message) => message.data.id === story.id);
    expect(announced).toHaveLength(1);
    expect(announced[0]?.data.publishedAt).toBe(lift.toISOString());
    expect(renamed.version).toBeGreaterThan(story.version);
  });

  it('withdraws a public article until the lift, lifts early on request, and is an editor’s call', async () => {
    const { app, clock, create, versioned } = await setUp();
    const writer = bearer(await app.token('writer'));
    const draft = await create('/v1/admin/articles', { headline: 'Early story', body: 'Text.' });
    const story = await versioned(
      'post',
      `/v1/admin/articles/${draft.id}/publish`,
      draft.version,
      {},
    );
    await app.api.get(`/v1/articles/${story.slug}`).expect(200);

    await app.api
      .put(`/v1/admin/articles/${story.id}/embargo`)
      .set(writer)
      .set('If-Match', `"${story.version}"`)
      .send({ until: lift.toISOString() })
      .expect(403);
    const past = await app.api
      .put(`/v1/admin/articles/${story.id}/embargo`)
      .set(bearer(await app.token('editor')))
      .set('If-Match', `"${story.version}"`)
      .send({ until: '2026-11-28T08:00:00.000Z' })
      .expect(400);
    expect(past.body.errors).toEqual([{ path: 'body.until', message: 'Must be in the future.' }]);

    const held = await versioned('put', `/v1/admin/articles/${story.id}/embargo`, story.version, {
      until: lift.toISOString(),
    });
    expect(held.status).toBe('scheduled');
    await app.api.get(`/v1/articles/${story.slug}`).expect(404);

    clock.advance(10 * 60 * second);
    const lifted = await versioned(
      'delete',
      `/v1/admin/articles/${story.id}/embargo`,
      held.version,
    );
    expect(lifted.status).toBe('published');
    const shown = await app.api.get(`/v1/articles/${story.slug}`).expect(200);
    expect(shown.body.data.publishedAt).toBe('2026-11-28T09:10:00.000Z');
    await versioned(
      'delete',
      `/v1/admin/articles/${story.id}/embargo`,
      lifted.version,
      undefined,
      409,
    );
  });

  it('keep an embargoed photo off every public surface until it lifts, and put it back on all of them', async () => {
    const { app, clock, editor, create, versioned } = await setUp();
    const photoHook = await receiver();
    closers.push(photoHook.close);
    await app.api
      .post('/v1/admin/webhooks')
      .set(editor)
      .send({ url: photoHook.url, events: ['photo.*'] })
      .expect(201);
    const photoUrl = 'https://cdn.example.org/photos/embargoed-summit.jpg';
    const photo = await create('/v1/admin/photos', { ...samplePhoto, url: photoUrl });
    const author = await create('/v1/admin/authors', { name: 'Agency Desk', photoId: photo.id });
    const draft = await create('/v1/admin/articles', {
      headline: 'Summit photographs arrive',
      body: 'The summit began.',
      authorIds: [author.id],
      photoId: photo.id,
    });
    const story = await versioned(
      'post',
      `/v1/admin/articles/${draft.id}/publish`,
      draft.version,
      {},
    );
    const front = await create('/v1/admin/collections', {
      name: 'Photo front',
      language: 'en',
      items: [{ articleId: story.id }],
    });
    const shows = async (path: string) => (await app.api.get(path)).text.includes(photoUrl);
    const surfaces: Array<[string, () => Promise<boolean>]> = [
      ['the article', () => shows(`/v1/articles/${story.slug}`)],
      ['its JSON-LD', () => shows(`/v1/articles/${story.slug}/jsonld`)],
      ['the list', () => shows('/v1/articles')],
      ['the site feed', () => shows('/v1/feeds/articles.rss')],
      ['the month sitemap', () => shows('/sitemaps/articles-2026-11.xml')],
      ['the author page', () => shows(`/v1/authors/${author.slug}`)],
      ['the authors list', () => shows('/v1/authors')],
      ['a front', () => shows(`/v1/collections/${front.slug}`)],
    ];
    const visibility = async () =>
      Object.fromEntries(
        await Promise.all(surfaces.map(async ([name, check]) => [name, await check()])),
      );
    const everywhere = (value: boolean) =>
      Object.fromEntries(surfaces.map(([name]) => [name, value]));
    // Shown, and cached, before the embargo is set.
    expect(await visibility()).toEqual(everywhere(true));

    await app.api
      .patch(`/v1/admin/photos/${photo.id}`)
      .set(editor)
      .send({ embargoUntil: '2026-11-28T08:00:00.000Z' })
      .expect(400);
    const held = await app.api
      .patch(`/v1/admin/photos/${photo.id}`)
      .set(editor)
      .send({ embargoUntil: lift.toISOString() })
      .expect(200);
    expect(held.body.data.embargoUntil).toBe(lift.toISOString());
    expect(await visibility()).toEqual(everywhere(false));
    // The article itself stays public, without its photo; a preview shows it.
    const shown = await app.api.get(`/v1/articles/${story.slug}`).expect(200);
    expect(shown.body.data.photo).toBeNull();
    const link = await app.api
      .post(`/v1/admin/articles/${story.id}/preview`)
      .set(editor)
      .send({})
      .expect(201);
    const preview = await app.api
      .get(`/v1/preview/articles/${story.id}?token=${link.body.data.token}`)
      .expect(200);
    expect(preview.text).toContain(photoUrl);

    clock.advance(lift.getTime() - start.getTime() - second);
    expect(await app.app.services.photos.liftDue()).toBe(0);
    expect(await visibility()).toEqual(everywhere(false));

    clock.advance(2 * second);
    // The app's own once-a-second check may lift it first: either way it is lifted once (the
    // events below), and nothing is left to lift.
    await app.app.services.photos.liftDue();
    expect(await app.app.services.photos.liftDue()).toBe(0);
    expect(await visibility()).toEqual(everywhere(true));
    const lifted = await app.api.get(`/v1/admin/photos/${photo.id}`).set(editor).expect(200);
    expect(lifted.body.data.embargoUntil).toBeNull();
    // Announced when set and when lifted, each once, with the keys CDNs purge.
    await app.app.services.webhooks.relay.deliverDue();
    const events = photoHook.received.map(
      (message) =>
        JSON.parse(message.body) as { type: string; data: { id: string; surrogateKeys: string[] } },
    );
    expect(events.map((event) => [event.type, event.data.id])).toEqual([
      ['photo.updated', photo.id],
      ['photo.updated', photo.id],
    ]);
    expect(events[1]?.data.surrogateKeys).toEqual([`photo:${photo.id}`, 'articles', 'authors']);
  });
});
