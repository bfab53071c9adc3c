import { parseRssFeed } from 'feedsmith';
import Parser from 'rss-parser';
import sax from 'sax';
import { afterEach, describe, expect, it } from 'vitest';
import { bearer, createTestApp, manualClock, receiver, type TestApp } from './helpers.ts';

// Corrections over HTTP: made on published articles under the article's If-Match, shown in time
// order on the article, in its JSON-LD and site-wide; edits keep what readers were told; the
// webhook says `article.corrected`.

let t: TestApp | undefined;
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await t?.close();
  t = undefined;
});

const minute = 60_000;

async function setUp() {
  const clock = manualClock(new Date('2026-11-28T09:00:00.000Z'));
  const app = await createTestApp({
    now: clock.now,
    config: { siteUrl: 'https://news.example.org', webhooksAllowPrivateTargets: true },
  });
  t = app;
  const editor = bearer(await app.token('editor'));
  const writer = bearer(await app.token('writer'));
  const draft = async (body: Record<string, unknown> = {}) =>
    (
      await app.api
        .post('/v1/admin/articles')
        .set(editor)
        .send({ headline: 'Ministers meet in Moscow', body: 'Talks on a road map.', ...body })
        .expect(201)
    ).body.data as { id: string; slug: string; version: number };
  const publish = async (id: string, version: number, publishedAt?: string) =>
    (
      await app.api
        .post(`/v1/admin/articles/${id}/publish`)
        .set(editor)
        .set('If-Match', `"${version}"`)
        .send(publishedAt === undefined ? {} : { publishedAt })
        .expect(200)
    ).body.data as { id: string; slug: string; version: number };
  const correct = (
    id: string,
    version: number | null,
    body: Record<string, unknown>,
    as = editor,
  ) => {
    const request = app.api.post(`/v1/admin/articles/${id}/corrections`).set(as);
    return (version === null ? request : request.set('If-Match', `"${version}"`)).send(body);
  };
  return { app, clock, editor, writer, draft, publish, correct };
}

describe('corrections', () => {
  it('go on published articles only, under If-Match, and show on the article in time order', async () => {
    const { app, clock, editor, draft, publish, correct } = await setUp();
    const created = await draft();
    const onDraft = await correct(created.id, created.version, {
      kind: 'correction',
      text: 'An earlier version misspelled a name.',
    }).expect(409);
    expect(onDraft.body.detail).toMatch(/draft/);
    const scheduled = await publish(created.id, created.version, '2026-12-01T08:00:00.000Z');
    await correct(scheduled.id, scheduled.version, { kind: 'update', text: 'Too early.' }).expect(
      409,
    );
    const unpublished = await app.api
      .post(`/v1/admin/articles/${created.id}/unpublish`)
      .set(editor)
      .set('If-Match', `"${scheduled.version}"`)
      .expect(200);
    const article = await publish(created.id, unpublished.body.data.version);
    const before = await app.api.get(`/v1/articles/${article.slug}`).expect(200);
    expect(before.body.data.corrections).toEqual([]);

    await correct(article.id, null, { kind: 'correction', text: 'No If-Match.' }).expect(428);
    await correct(article.id, article.version - 1, { kind: 'correction', text: 'Stale.' }).expect(
      412,
    );
    clock.advance(10 * minute);
    const first = await correct(article.id, article.version, {
      kind: 'correction',
      text: 'An earlier version of this article gave the wrong date for the talks.',
    }).expect(201);
    expect(first.headers.etag).toBe(`"${article.version + 1}"`);
    expect(first.headers.location).toBe(
      `/v1/admin/articles/${article.id}/corrections/${first.body.data.id}`,
    );
    expect(first.body.data).toMatchObject({
      kind: 'correction',
      publishedAt: '2026-11-28T09:10:00.000Z',
      history: [],
    });
    clock.advance(10 * minute);
    await correct(article.id, article.version + 1, {
      kind: 'clarification',
      text: 'The ministers met in two rounds, not one.',
    }).expect(201);

    const after = await app.api.get(`/v1/articles/${article.slug}`).expect(200);
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect(
      (after.body.data.corrections as Array<{ kind: string; publishedAt: string }>).map(
        (correction) => [correction.kind, correction.publishedAt],
      ),
    ).toEqual([
      ['correction', '2026-11-28T09:10:00.000Z'],
      ['clarification', '2026-11-28T09:20:00.000Z'],
    ]);
    // A correction is a change readers see: the article's dateModified moves.
    expect(after.body.data.updatedAt).toBe('2026-11-28T09:20:00.000Z');
    const jsonld = JSON.parse(
      (await app.api.get(`/v1/articles/${article.slug}/jsonld`).expect(200)).text,
    ) as { dateModified: string; correction: Array<Record<string, string>> };
    expect(jsonld.dateModified).toBe('2026-11-28T09:20:00+00:00');
    expect(jsonld.correction).toEqual([
      {
        '@type': 'CorrectionComment',
        text: 'An earlier version of this article gave the wrong date for the talks.',
        datePublished: '2026-11-28T09:10:00+00:00',
      },
      {
        '@type': 'CorrectionComment',
        text: 'The ministers met in two rounds, not one.',
        datePublished: '2026-11-28T09:20:00+00:00',
      },
    ]);
    const admin = await app.api.get(`/v1/admin/articles/${article.id}`).set(editor).expect(200);
    expect(admin.body.data.version).toBe(article.version + 2);
    expect(admin.body.data.corrections).toHaveLength(2);
  });

  it('let writers correct but only editors retract, and refuse bad input by field', async () => {
    const { writer, draft, publish, correct } = await setUp();
    const created = await draft();
    const article = await publish(created.id, created.version);
    const refused = await correct(
      article.id,
      article.version,
      { kind: 'retraction', text: 'This article should not have been published.' },
      writer,
    ).expect(403);
    expect(refused.body.detail).toMatch(/editors/i);
    const bad = await correct(article.id, article.version, {
      kind: 'erratum',
      text: 'x'.repeat(2001),
      extra: true,
    }).expect(400);
    const paths = (bad.body.errors as Array<{ path: string }>).map((error) => error.path).sort();
    expect(paths).toEqual(expect.arrayContaining(['body.kind', 'body.text']));
    await correct(article.id, article.version, { kind: 'update', text: '   ' }).expect(400);

    await correct(
      article.id,
      article.version,
      { kind: 'update', text: 'Both ministries confirmed the meeting.' },
      writer,
    ).expect(201);
    await correct(article.id, article.version + 1, {
      kind: 'retraction',
      text: 'The meeting did not take place as reported.',
    }).expect(201);
  });

  it('keep every earlier wording on edit, and stay on the record while the article is public', async () => {
    const { app, clock, editor, draft, publish, correct } = await setUp();
    const created = await draft();
    const article = await publish(created.id, created.version);
    const made = await correct(article.id, article.version, {
      kind: 'correction',
      text: 'The talks were on Tuesday.',
    }).expect(201);
    const path = `/v1/admin/articles/${article.id}/corrections/${made.body.data.id}`;
    clock.advance(minute);
    const edited = await app.api
      .patch(path)
      .set(editor)
      .set('If-Match', made.headers.etag ?? '')
      .send({ text: 'The talks were on Wednesday, May 10.' })
      .expect(200);
    expect(edited.body.data).toMatchObject({
      kind: 'correction',
      text: 'The talks were on Wednesday, May 10.',
      publishedAt: made.body.data.publishedAt,
      history: [
        {
          kind: 'correction',
          text: 'The talks were on Tuesday.',
          replacedAt: '2026-11-28T09:01:00.000Z',
        },
      ],
    });
    const shown = await app.api.get(`/v1/articles/${article.slug}`).expect(200);
    expect(shown.body.data.corrections[0].text).toBe('The talks were on Wednesday, May 10.');
    expect(shown.body.data.corrections[0]).not.toHaveProperty('history');

    const version = Number(JSON.parse(edited.headers.etag ?? '0'));
    await app.api.delete(path).set(editor).set('If-Match', `"${version}"`).expect(409);
    await app.api
      .patch(`/v1/admin/articles/${article.id}/corrections/cor_01jz0000000000000000000000`)
      .set(editor)
      .set('If-Match', `"${version}"`)
      .send({ text: 'Nothing.' })
      .expect(404);
    const unpublished = await app.api
      .post(`/v1/admin/articles/${article.id}/unpublish`)
      .set(editor)
      .set('If-Match', `"${version}"`)
      .expect(200);
    await app.api
      .delete(path)
      .set(editor)
      .set('If-Match', `"${unpublished.body.data.version}"`)
      .expect(204);
    const listed = await app.api
      .get(`/v1/admin/articles/${article.id}/corrections`)
      .set(editor)
      .expect(200);
    expect(listed.body.data).toEqual([]);
  });

  it('are listed site-wide newest first, by language, only while their article is visible', async () => {
    const { app, clock, editor, draft, publish, correct } = await setUp();
    const englishDraft = await draft();
    const english = await publish(englishDraft.id, englishDraft.version);
    const russianDraft = await draft({ headline: 'Министры встретились в Москве', language: 'ru' });
    const russian = await publish(russianDraft.id, russianDraft.version);
    clock.advance(minute);
    await correct(english.id, english.version, { kind: 'correction', text: 'First.' }).expect(201);
    clock.advance(minute);
    await correct(russian.id, russian.version, { kind: 'update', text: 'Второе.' }).expect(201);
    clock.advance(minute);
    await correct(english.id, english.version + 1, { kind: 'update', text: 'Third.' }).expect(201);

    const all = await app.api.get('/v1/corrections').expect(200);
    expect((all.body.data as Array<{ text: string }>).map((c) => c.text)).toEqual([
      'Third.',
      'Второе.',
      'First.',
    ]);
    expect(all.body.data[0].article).toEqual({
      id: english.id,
      slug: english.slug,
      language: 'en',
      headline: 'Ministers meet in Moscow',
      url: `https://news.example.org/en/${english.slug}`,
    });
    const cached = await app.api.get('/v1/corrections').expect(200);
    expect(cached.headers['x-cache']).toBe('hit');

    const firstPage = await app.api.get('/v1/corrections?limit=2').expect(200);
    const nextCursor = firstPage.body.meta.nextCursor as string;
    expect(nextCursor).toEqual(expect.any(String));
    const secondPage = await app.api
      .get(`/v1/corrections?limit=2&cursor=${encodeURIComponent(nextCursor)}`)
      .expect(200);
    expect((secondPage.body.data as Array<{ text: string }>).map((c) => c.text)).toEqual([
      'First.',
    ]);
    expect(secondPage.body.meta.nextCursor).toBeNull();
    const inRussian = await app.api.get('/v1/corrections?language=ru').expect(200);
    expect((inRussian.body.data as Array<{ text: string }>).map((c) => c.text)).toEqual([
      'Второе.',
    ]);
    await app.api.get('/v1/corrections?cursor=not-a-cursor').expect(400);

    // Withdrawn: its corrections leave the list at once (the cached page is dropped).
    await app.api
      .post(`/v1/admin/articles/${english.id}/unpublish`)
      .set(editor)
      .set('If-Match', `"${english.version + 2}"`)
      .expect(200);
    const withdrawn = await app.api.get('/v1/corrections').expect(200);
    expect((withdrawn.body.data as Array<{ text: string }>).map((c) => c.text)).toEqual([
      'Второе.',
    ]);
  });

  it('announce article.corrected naming the correction', async () => {
    const { app, editor, draft, publish, correct } = await setUp();
    const hook = await receiver();
    closers.push(hook.close);
    await app.api
      .post('/v1/admin/webhooks')
      .set(editor)
      .send({ url: hook.url, events: ['article.*'] })
      .expect(201);
    const created = await draft();
    const article = await publish(created.id, created.version);
    const made = await correct(article.id, article.version, {
      kind: 'clarification',
      text: 'The road map covers trade as well.',
    }).expect(201);
    await app.app.services.webhooks.relay.deliverDue();
    const types = hook.received.map(
      (message) => JSON.parse(message.body) as { type: string; data: Record<string, unknown> },
    );
    // Deliveries run side by side: their order is not the events' order.
    expect(types.map((message) => message.type).sort()).toEqual([
      'article.corrected',
      'article.published',
    ]);
    expect(types.find((message) => message.type === 'article.corrected')?.data).toMatchObject({
      id: article.id,
      version: article.version + 1,
      correction: { id: made.body.data.id, kind: 'clarification' },
    });
  });

  it('stop at the per-article bound', async () => {
    const { draft, publish, correct } = await setUp();
    const created = await draft();
    const article = await publish(created.id, created.version);
    let version = article.version;
    for (let n = 0; n < 50; n += 1) {
      await correct(article.id, version, { kind: 'update', text: `Update ${n}.` }).expect(201);
      version += 1;
    }
    const over = await correct(article.id, version, { kind: 'update', text: 'One more.' }).expect(
      409,
    );
    expect(over.body.detail).toMatch(/at most 50/);
  });

  it('have an RSS feed that a strict parser and two feed readers read', async () => {
    const { app, clock, draft, publish, correct } = await setUp();
    const created = await draft({ headline: 'Talks & "roadmap" <news>' });
    const article = await publish(created.id, created.version);
    const empty = await app.api.get('/v1/feeds/corrections.rss').expect(200);
    expect(empty.headers['content-type']).toBe('application/rss+xml; charset=utf-8');
    clock.advance(minute);
    const made = await correct(article.id, article.version, {
      kind: 'correction',
      text: 'The talks began on May 10, not May 9 & ran late.',
    }).expect(201);
    const response = await app.api.get('/v1/feeds/corrections.rss').expect(200);
    expect(response.headers.etag).not.toBe(empty.headers.etag);
    const xml = response.text;

    const parser = sax.parser(true, { xmlns: true });
    const errors: string[] = [];
    parser.onerror = (error) => {
      errors.push(error.message);
      parser.resume();
    };
    parser.write(xml).close();
    expect(errors).toEqual([]);

    const read = await new Parser().parseString(xml);
    expect(read.items.map((item) => [item.title, item.link, item.guid, item.content])).toEqual([
      [
        'Correction: Talks & "roadmap" <news>',
        `https://news.example.org/en/${article.slug}`,
        `urn:broadsheet:correction:${made.body.data.id}`,
        'The talks began on May 10, not May 9 & ran late.',
      ],
    ]);
    const feed = parseRssFeed(xml);
    expect(feed.items?.[0]?.title).toBe('Correction: Talks & "roadmap" <news>');
    expect(feed.items?.[0]?.description).toBe('The talks began on May 10, not May 9 & ran late.');
    expect(feed.lastBuildDate).toBe(new Date('2026-11-28T09:01:00.000Z').toUTCString());
  });
});
