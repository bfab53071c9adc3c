import { afterAll, afterEach, describe, expect, it } from 'vitest';
import supertest from 'supertest';
import { buildApp } from '../src/app.ts';
import {
  bearer,
  createTestApp,
  freshDatabase,
  fromTimers,
  manualClock,
  openTestStore,
  receiver,
  samplePhoto,
  testConfig,
  type TestApp,
} from './helpers.ts';

// Curated fronts and sections over HTTP: editors pin and order articles under the version they
// loaded, a rule fills the slots left, and readers get the visible ones only — changed at once
// when a shown article changes, and when a pinned scheduled article falls due, without a write.

let t: TestApp | undefined;
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await t?.close();
  t = undefined;
});

const hour = 3_600_000;

interface Shown {
  pinned: boolean;
  headline: string;
  dek: string | null;
  photo: { id: string; credit: { line: string } } | null;
  article: { id: string; headline: string; slug: string };
}

async function setUp() {
  const clock = manualClock(new Date('2026-11-28T09:00:00.000Z'));
  const app = await createTestApp({
    now: clock.now,
    config: { webhooksAllowPrivateTargets: true },
  });
  t = app;
  const editor = bearer(await app.token('editor'));
  const create = async (path: string, body: Record<string, unknown>) =>
    (await app.api.post(path).set(editor).send(body).expect(201)).body.data as {
      id: string;
      slug: string;
      version: number;
    };
  let minute = 0;
  /** A published article, each a minute newer than the one before. */
  const story = async (headline: string, extra: Record<string, unknown> = {}) => {
    const draft = await create('/v1/admin/articles', { headline, body: 'Text.', ...extra });
    minute += 1;
    const published = await app.api
      .post(`/v1/admin/articles/${draft.id}/publish`)
      .set(editor)
      .set('If-Match', `"${draft.version}"`)
      .send({ publishedAt: new Date(Date.parse('2026-11-28T08:00:00.000Z') + minute * 60_000) })
      .expect(200);
    return published.body.data as { id: string; slug: string; version: number };
  };
  const front = async (slug: string) => {
    const response = await app.api.get(`/v1/collections/${slug}`).expect(200);
    return {
      response,
      items: response.body.data.items as Shown[],
      ids: (response.body.data.items as Shown[]).map((item) => item.article.id),
    };
  };
  const patch = (id: string, version: number | string, body: Record<string, unknown>) =>
    app.api
      .patch(`/v1/admin/collections/${id}`)
      .set(editor)
      .set('If-Match', typeof version === 'number' ? `"${version}"` : version)
      .send(body);
  return { app, clock, editor, create, story, front, patch };
}

describe('collections', () => {
  it('show the visible pinned articles in order with their overrides, then the rule’s newest, up to the size', async () => {
    const { app, editor, create, story, front } = await setUp();
    const russia = await create('/v1/admin/tags', { name: 'Russia' });
    const syria = await create('/v1/admin/tags', { name: 'Syria' });
    const author = await create('/v1/admin/authors', { name: 'Mira Castellanos' });
    const photo = await create('/v1/admin/photos', samplePhoto);
    const lead = await story('Moscow talks open', { tagIds: [russia.id], dek: 'Four ministers.' });
    const second = await story('Damascus sets conditions', { tagIds: [syria.id] });
    const both = await story('Roadmap drafted', {
      tagIds: [russia.id, syria.id],
      authorIds: [author.id],
    });
    const other = await story('Weather in Ankara');
    const russian = await story('Переговоры в Москве', { language: 'ru', tagIds: [russia.id] });
    const draft = await create('/v1/admin/articles', {
      headline: 'Unfinished',
      body: 'Text.',
      tagIds: [russia.id],
    });

    const created = await app.api
      .post('/v1/admin/collections')
      .set(editor)
      .send({
        name: 'Front page',
        language: 'en',
        size: 4,
        items: [
          { articleId: second.id, headline: 'Damascus names its terms', photoId: photo.id },
          { articleId: draft.id },
          { articleId: lead.id, dek: 'The quartet met in Moscow.' },
        ],
        backfill: { language: 'en' },
      })
      .expect(201);
    expect(created.headers.location).toBe(`/v1/admin/collections/${created.body.data.id}`);
    expect(created.headers.etag).toBe('"1"');
    expect(created.body.data).toMatchObject({
      slug: 'front-page',
      size: 4,
      version: 1,
      backfill: { tagIds: [], authorId: null, language: 'en' },
    });
    // Editors see every pinned slot, with how its article stands.
    expect(
      created.body.data.items.map((item: { article: { status: string } }) => item.article.status),
    ).toEqual(['published', 'draft', 'published']);

    const shown = await front('front-page');
    // The draft is skipped; the rule fills the rest newest first, skipping what is pinned and
    // the Russian edition (another language).
    expect(shown.ids).toEqual([second.id, lead.id, other.id, both.id]);
    expect(shown.items.map((item) => item.pinned)).toEqual([true, true, false, false]);
    expect(shown.items[0]).toMatchObject({
      headline: 'Damascus names its terms',
      photo: { id: photo.id, credit: { line: 'Valery Sharifulin / TASS' } },
      article: { headline: 'Damascus sets conditions' },
    });
    expect(shown.items[1]).toMatchObject({
      headline: 'Moscow talks open',
      dek: 'The quartet met in Moscow.',
      photo: null,
    });
    // Each item's article is the list item /v1/articles serves.
    const list = await app.api.get('/v1/articles?limit=100').expect(200);
    const listed = new Map(
      (list.body.data as Array<{ id: string }>).map((item) => [item.id, item]),
    );
    for (const item of shown.items) expect(item.article).toEqual(listed.get(item.article.id));

    // Sections: by any of several tags, by an author, by language.
    const section = async (backfill: Record<string, unknown>) => {
      const made = await create('/v1/admin/collections', {
        name: `Section ${JSON.stringify(backfill)}`,
        language: 'en',
        backfill,
      });
      return (await front(made.slug)).ids;
    };
    expect(await section({ tagIds: [russia.id] })).toEqual([russian.id, both.id, lead.id]);
    expect(await section({ tagIds: [russia.id, syria.id], language: 'en' })).toEqual([
      both.id,
      second.id,
      lead.id,
    ]);
    expect(await section({ authorId: author.id })).toEqual([both.id]);
    expect(await section({ tagIds: [syria.id], authorId: author.id })).toEqual([both.id]);
    expect(await section({ language: 'ru' })).toEqual([russian.id]);
    // No rule: the pinned articles only.
    const pinnedOnly = await create('/v1/admin/collections', {
      name: 'Pinned only',
      language: 'en',
      items: [{ articleId: other.id }],
    });
    expect((await front(pinnedOnly.slug)).ids).toEqual([other.id]);
    await app.api.get('/v1/collections/no-such-front').expect(404);
    // A pinned article deleted takes its slot with it.
    await app.api
      .delete(`/v1/admin/articles/${draft.id}`)
      .set(editor)
      .set('If-Match', `"${draft.version}"`)
      .expect(204);
    const after = await app.api
      .get(`/v1/admin/collections/${created.body.data.id}`)
      .set(editor)
      .expect(200);
    expect(after.body.data.items.map((item: { articleId: string }) => item.articleId)).toEqual([
      second.id,
      lead.id,
    ]);
  });

  it('refuse bad slots and rules naming each bad field', async () => {
    // Another well-formed id: changing the last character to a fixed one would keep the id
    // whenever it already ended in that character (one id in 32).
    const otherIdThan = (id: string) => `${id.slice(0, -1)}${id.endsWith('x') ? 'y' : 'x'}`;
    const { app, editor, create, story } = await setUp();
    const lead = await story('Lead story');
    const fields = async (body: Record<string, unknown>, status = 400) => {
      const response = await app.api
        .post('/v1/admin/collections')
        .set(editor)
        .send({ name: 'Front', language: 'en', ...body })
        .expect(status);
      return (response.body.errors as Array<{ path: string }> | undefined)?.map((e) => e.path);
    };
    expect(await fields({ items: [{ articleId: lead.id }, { articleId: lead.id }] })).toEqual([
      'body.items.1.articleId',
    ]);
    expect(
      await fields({
        size: 1,
        items: [{ articleId: lead.id }, { articleId: otherIdThan(lead.id) }],
      }),
    ).toEqual(['body.items']);
    expect(await fields({ size: 0 })).toEqual(['body.size']);
    expect(await fields({ size: 101 })).toEqual(['body.size']);
    expect(
      await fields({
        backfill: { tagIds: ['tag_00000000000000000000000000', 'tag_00000000000000000000000000'] },
      }),
    ).toEqual(['body.backfill.tagIds']);
    expect(
      await fields({
        items: [
          {
            articleId: 'art_00000000000000000000000000',
            photoId: 'pho_00000000000000000000000000',
          },
        ],
        backfill: {
          tagIds: ['tag_00000000000000000000000000'],
          authorId: 'aut_00000000000000000000000000',
        },
      }),
    ).toEqual([
      'body.items.0.articleId',
      'body.items.0.photoId',
      'body.backfill.tagIds.0',
      'body.backfill.authorId',
    ]);
    expect(await fields({ language: 'english' })).toEqual(['body.language']);
    expect(await fields({ items: [{ articleId: lead.id, headline: ' ' }] })).toEqual([
      'body.items.0.headline',
    ]);
    expect(await fields({ extra: true })).toEqual(['body.extra']);
    expect(await fields({ name: 'Fro\u0000nt' })).toEqual(['body.name']);
    const made = await create('/v1/admin/collections', { name: 'Front', language: 'en' });
    await fields({ slug: made.slug }, 409);
    // Writers read fronts; editors make and change them.
    const writer = bearer(await app.token('writer'));
    await app.api.get(`/v1/admin/collections/${made.id}`).set(writer).expect(200);
    await app.api
      .post('/v1/admin/collections')
      .set(writer)
      .send({ name: 'Mine', language: 'en' })
      .expect(403);
    // Nothing was stored by the refusals.
    const listed = await app.api.get('/v1/admin/collections').set(editor).expect(200);
    expect(listed.body.meta.total).toBe(1);
  });

  it('change under If-Match: one request reorders, pins, unpins and overrides; a stale version loses', async () => {
    const { app, editor, create, story, front, patch } = await setUp();
    const hook = await receiver();
    closers.push(hook.close);
    await app.api
      .post('/v1/admin/webhooks')
      .set(editor)
      .send({ url: hook.url, events: ['collection.*'] })
      .expect(201);
    const [a, b, c] = [await story('Alpha'), await story('Bravo'), await story('Charlie')];
    const made = await create('/v1/admin/collections', {
      name: 'Front',
      language: 'en',
      size: 3,
      items: [{ articleId: a.id }, { articleId: b.id }],
    });
    expect((await front(made.slug)).ids).toEqual([a.id, b.id]);

    await patch(made.id, '', { size: 2 }).expect(428);
    await patch(made.id, 7, { size: 2 }).expect(412);
    // Shrinking below the pinned slots is refused on the field sent.
    const tooSmall = await patch(made.id, 1, { size: 1 }).expect(400);
    expect(tooSmall.body.errors).toEqual([
      { path: 'body.size', message: expect.stringContaining('2 pinned articles') },
    ]);
    const moved = await patch(made.id, 1, {
      items: [{ articleId: c.id, headline: 'Charlie leads' }, { articleId: a.id }],
      slug: 'home',
    }).expect(200);
    expect(moved.headers.etag).toBe('"2"');
    expect(moved.body.data.version).toBe(2);
    const home = await front('home');
    expect(home.ids).toEqual([c.id, a.id]);
    expect(home.items[0]?.headline).toBe('Charlie leads');
    // The old address is gone with the change (its cached answer too).
    await app.api.get(`/v1/collections/${made.slug}`).expect(404);

    // Two editors who loaded version 2 reorder at once: exactly one wins, the other reloads.
    const outcomes = await Promise.all([
      patch(made.id, 2, { items: [{ articleId: a.id }, { articleId: c.id }] }),
      patch(made.id, 2, { items: [{ articleId: b.id }] }),
    ]);
    expect(outcomes.map((response) => response.status).sort()).toEqual([200, 412]);
    const loser = outcomes.find((response) => response.status === 412);
    expect(loser?.body.currentVersion).toBe(3);
    const winner = outcomes.find((response) => response.status === 200);
    expect((await front('home')).ids).toEqual(
      (winner?.body.data.items as Array<{ articleId: string }>).map((item) => item.articleId),
    );

    await app.api
      .delete(`/v1/admin/collections/${made.id}`)
      .set(editor)
      .set('If-Match', '"2"')
      .expect(412);
    await app.api
      .delete(`/v1/admin/collections/${made.id}`)
      .set(editor)
      .set('If-Match', '"3"')
      .expect(204);
    await app.api.get('/v1/collections/home').expect(404);
    await app.api.get(`/v1/admin/collections/${made.id}`).set(editor).expect(404);

    await app.app.services.webhooks.relay.deliverDue();
    const events = hook.received.map(
      (message) =>
        JSON.parse(message.body) as { type: string; data: { id: string; version?: number } },
    );
    // Delivered concurrently: in any order, each once.
    expect(events.map((event) => [event.type, event.data.version])).toHaveLength(4);
    expect(events.map((event) => [event.type, event.data.version])).toEqual(
      expect.arrayContaining([
        ['collection.created', 1],
        ['collection.updated', 2],
        ['collection.updated', 3],
        ['collection.deleted', undefined],
      ]),
    );
    expect(events.every((event) => event.data.id === made.id)).toBe(true);
  });

  it('change for readers at once when a shown article does, and when a pinned scheduled one falls due', async () => {
    const { app, clock, editor, create, story, front } = await setUp();
    const tag = await create('/v1/admin/tags', { name: 'Russia' });
    const photo = await create('/v1/admin/photos', samplePhoto);
    const [a, b, c] = [
      await story('Alpha', { tagIds: [tag.id] }),
      await story('Bravo', { tagIds: [tag.id] }),
      await story('Charlie', { tagIds: [tag.id] }),
    ];
    const later = await create('/v1/admin/articles', {
      headline: 'Scheduled story',
      body: 'Text.',
    });
    const due = new Date(clock.now().getTime() + 2 * hour).toISOString();
    await app.api
      .post(`/v1/admin/articles/${later.id}/publish`)
      .set(editor)
      .set('If-Match', `"${later.version}"`)
      .send({ publishedAt: due })
      .expect(200);
    const made = await create('/v1/admin/collections', {
      name: 'Front',
      language: 'en',
      items: [{ articleId: later.id }, { articleId: a.id, photoId: photo.id }],
      backfill: { tagIds: [tag.id] },
    });
    expect((await front(made.slug)).ids).toEqual([a.id, c.id, b.id]);
    const cached = await front(made.slug);
    expect(cached.response.headers['x-cache']).toBe('hit');
    expect(cached.response.headers['surrogate-key']).toContain(`collection:${made.id}`);

    // The article in slot 3 is withdrawn: gone from the next answer.
    const shown = await app.api.get(`/v1/admin/articles/${b.id}`).set(editor).expect(200);
    await app.api
      .post(`/v1/admin/articles/${b.id}/unpublish`)
      .set(editor)
      .set('If-Match', shown.headers.etag as string)
      .expect(200);
    expect((await front(made.slug)).ids).toEqual([a.id, c.id]);
    // A headline edit shows at once too.
    const current = await app.api.get(`/v1/admin/articles/${c.id}`).set(editor).expect(200);
    await app.api
      .patch(`/v1/admin/articles/${c.id}`)
      .set(editor)
      .set('If-Match', current.headers.etag as string)
      .send({ headline: 'Charlie, updated' })
      .expect(200);
    expect((await front(made.slug)).items[1]?.headline).toBe('Charlie, updated');
    // So does an edit of the override photo.
    await app.api
      .patch(`/v1/admin/photos/${photo.id}`)
      .set(editor)
      .send({ credit: { photographer: 'Someone Else' } })
      .expect(200);
    expect((await front(made.slug)).items[0]?.photo?.credit.line).toBe('Someone Else');

    // Shared caches never keep the answer past the scheduled article's time.
    const before = await front(made.slug);
    expect(before.response.headers['cache-control']).toMatch(/^public, max-age=60/);
    clock.advance(2 * hour - 30_000);
    expect((await front(made.slug)).response.headers['cache-control']).toBe('public, max-age=30');
    clock.advance(30_000);
    expect((await front(made.slug)).ids).toEqual([later.id, a.id, c.id]);

    // A photo an override shows cannot be deleted.
    await app.api.delete(`/v1/admin/photos/${photo.id}`).set(editor).expect(409);
  });
});

describe('a resolved front', () => {
  const clock = manualClock(new Date('2026-11-28T09:00:00.000Z'));
  let statements: string[] = [];
  const close: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const step of close) await step();
  });

  it('costs the same number of SQL statements for 1 slot as for 50', async () => {
    const database = await freshDatabase();
    const store = await openTestStore(database, {
      onQuery: (sql) => {
        if (!fromTimers(sql)) statements.push(sql);
      },
    });
    const app = await buildApp({ config: testConfig(), store, now: clock.now });
    await app.ready();
    close.push(async () => {
      await app.close();
      await database.remove();
    });
    const api = supertest(app.server);
    const editor = bearer(
      (await app.services.tokens.create({ name: 'e', role: 'editor' }, null)).token,
    );
    const tag = (await api.post('/v1/admin/tags').set(editor).send({ name: 'Russia' }).expect(201))
      .body.data.id as string;
    const photo = (await api.post('/v1/admin/photos').set(editor).send(samplePhoto).expect(201))
      .body.data.id as string;
    const ids: string[] = [];
    for (let i = 0; i < 60; i += 1) {
      const draft = await api
        .post('/v1/admin/articles')
        .set(editor)
        .send({ headline: `Story ${i}`, body: 'Text.', tagIds: [tag], photoId: photo })
        .expect(201);
      await api
        .post(`/v1/admin/articles/${draft.body.data.id}/publish`)
        .set(editor)
        .set('If-Match', '"1"')
        .send({})
        .expect(200);
      ids.push(draft.body.data.id as string);
    }
    const cost = async (size: number, pinned: number) => {
      const made = await api
        .post('/v1/admin/collections')
        .set(editor)
        .send({
          name: `Front ${size}`,
          language: 'en',
          size,
          items: ids
            .slice(0, pinned)
            .map((articleId) => ({ articleId, headline: 'Override', photoId: photo })),
          backfill: { tagIds: [tag] },
        })
        .expect(201);
      statements = [];
      const shown = await api.get(`/v1/collections/${made.body.data.slug}`).expect(200);
      expect(shown.body.data.items).toHaveLength(size);
      return statements.length;
    };
    const one = await cost(1, 1);
    const fifty = await cost(50, 25);
    // The collection with its slots, the rule's ids, the list items, the photos, and when the
    // next scheduled article falls due.
    expect(one).toBeLessThanOrEqual(5);
    expect(fifty).toBe(one);
  });
});
