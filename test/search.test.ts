import { afterEach, describe, expect, it } from 'vitest';
import { HttpError } from '../src/errors.ts';
import { searchLimits } from '../src/lib/search-query.ts';
import type { PublicSearchRepository } from '../src/modules/articles/articles.search.repository.ts';
import { createSearchRunner } from '../src/workers/search-pool.ts';
import { bearer, createTestApp, manualClock, onPostgres, type TestApp } from './helpers.ts';

// Public search: the cost of any accepted query is bounded (query shape, prefix index, a hard
// per-query budget on a worker thread), and ranking only ever sees what the public can see.

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function article(
  app: TestApp,
  editor: string,
  fields: Record<string, unknown>,
  publish: { publishedAt?: string } | false = {},
) {
  const created = await app.api
    .post('/v1/admin/articles')
    .set(bearer(editor))
    .send({ body: 'Text.', ...fields })
    .expect(201);
  if (publish === false) return created.body.data as { id: string; slug: string };
  const published = await app.api
    .post(`/v1/admin/articles/${created.body.data.id}/publish`)
    .set(bearer(editor))
    .set('If-Match', '"1"')
    .send(publish)
    .expect(200);
  return published.body.data as { id: string; slug: string };
}

const searchSlugs = async (app: TestApp, q: string) =>
  (
    (await app.api.get(`/v1/articles?q=${encodeURIComponent(q)}`).expect(200)).body.data as Array<{
      slug: string;
    }>
  ).map((item) => item.slug);

describe('public search cost', () => {
  it.each([
    ['a* b* c* d* e* f* g* h* i* j* k* l* m* n* o* p*', 'at least 3 letters'],
    ['ab*', 'at least 3 letters'],
    ['mos* syr* tur*', `At most ${searchLimits.maxPrefixTerms} prefix terms`],
    ['one two three four five six seven eight nine', `at most ${searchLimits.maxTerms} words`],
    ['moscow -a1 -b2 -c3 -d4 -e5', `At most ${searchLimits.maxExclusions} exclusions`],
  ])('refuses %j with a 400 naming query.q', async (q, message) => {
    t = await createTestApp();
    const response = await t.api
      .get(`/v1/articles?q=${encodeURIComponent(q)}`)
      .expect(400)
      .expect('content-type', /application\/problem\+json/);
    expect(response.body.errors).toEqual([
      { path: 'query.q', message: expect.stringContaining(message) },
    ]);
    const editor = await t.token('editor');
    await t.api
      .get(`/v1/admin/articles?q=${encodeURIComponent(q)}`)
      .set(bearer(editor))
      .expect(400);
  });

  it('folds accents, stems, and keeps an exclusion in the article’s own language', async () => {
    t = await createTestApp();
    const editor = await t.token('editor');
    await article(t, editor, { headline: 'Çavuşoğlu visits the harbour', body: 'Talks.' });
    await article(t, editor, {
      headline: 'New tram lines',
      body: 'The metro stays closed on Sunday.',
    });
    await article(t, editor, { headline: 'Old tram lines', body: 'Buses replace them.' });
    expect(await searchSlugs(t, 'cavusoglu')).toEqual(['cavusoglu-visits-the-harbour']);
    expect(await searchSlugs(t, 'harbours')).toEqual(['cavusoglu-visits-the-harbour']);
    // "metros" is "metro" once stemmed, as the article's words were: excluded.
    expect(await searchSlugs(t, 'tram -metros')).toEqual(['old-tram-lines']);
  });

  it.runIf(onPostgres)('stems Russian on PostgreSQL: another case of a word finds it', async () => {
    t = await createTestApp();
    const editor = await t.token('editor');
    const story = await article(t, editor, {
      headline: 'Министры встретились в Москве',
      language: 'ru',
      slug: 'ministry-vstretilis',
    });
    expect(await searchSlugs(t, 'Москва')).toEqual([story.slug]);
    expect(await searchSlugs(t, 'министр -москвы')).toEqual([]);
  });

  it('runs on a worker thread: search works end to end through the thread', async () => {
    t = await createTestApp({ config: { searchThreads: 1 } });
    const editor = await t.token('editor');
    await article(t, editor, { headline: 'Pipeline talks resume' });
    expect(await searchSlugs(t, 'pipeline')).toEqual(['pipeline-talks-resume']);
    expect(await searchSlugs(t, 'resum*')).toEqual(['pipeline-talks-resume']);
  });
});

describe('the search thread pool', () => {
  const slowWorker = new URL('./fixtures/slow-search.worker.ts', import.meta.url);
  // The fixture worker reads its instruction from the one term.
  const task = (holdMs: number | 'exit') => ({
    terms: { include: [{ text: String(holdMs), prefix: false }], exclude: [] },
    filters: {},
    offset: 0,
    limit: 1,
    now: new Date(),
  });
  const noSearch = {} as PublicSearchRepository;

  it('stops a query past its budget with a 503, keeps the event loop free, and replaces the thread', async () => {
    const runner = createSearchRunner(
      { databasePath: 'unused.db', threads: 1, budgetMs: 200, maxQueue: 4, entry: slowWorker },
      noSearch,
      () => undefined,
    );
    try {
      expect(await runner.search(task(1))).toHaveLength(1);
      let ticks = 0;
      const ticker = setInterval(() => (ticks += 1), 10);
      const error = await runner.search(task(60_000)).catch((caught: unknown) => caught);
      clearInterval(ticker);
      expect(error).toBeInstanceOf(HttpError);
      expect(error).toMatchObject({
        statusCode: 503,
        code: 'search-unavailable',
        extras: { headers: { 'retry-after': '1' } },
      });
      // The main thread kept running while the worker was held (timers fired throughout).
      expect(ticks).toBeGreaterThan(3);
      expect(await runner.search(task(1))).toHaveLength(1);
    } finally {
      await runner.close();
    }
  });

  it('starts the budget when a thread takes the query: a burst of ordinary searches queues, none is stopped', async () => {
    const runner = createSearchRunner(
      { databasePath: 'unused.db', threads: 1, budgetMs: 600, maxQueue: 10, entry: slowWorker },
      noSearch,
      () => undefined,
    );
    try {
      // Eight searches of 100 ms on one thread take 800 ms in all, more than the budget.
      const results = await Promise.all(Array.from({ length: 8 }, () => runner.search(task(100))));
      expect(results.every((rows) => rows.length === 1)).toBe(true);
    } finally {
      await runner.close();
    }
  });

  it('answers a search whose thread died with a 503, and starts a new thread for the next', async () => {
    const errors: unknown[] = [];
    const runner = createSearchRunner(
      { databasePath: 'unused.db', threads: 1, budgetMs: 5_000, maxQueue: 4, entry: slowWorker },
      noSearch,
      (error) => errors.push(error),
    );
    try {
      const died = await runner.search(task('exit')).catch((error: unknown) => error);
      expect(died).toMatchObject({ statusCode: 503, code: 'search-unavailable' });
      expect(errors).toHaveLength(1);
      expect(await runner.search(task(1))).toHaveLength(1);
    } finally {
      await runner.close();
    }
  });

  it('bounds the queue of waiting searches: beyond it, 503 at once', async () => {
    const runner = createSearchRunner(
      { databasePath: 'unused.db', threads: 1, budgetMs: 5_000, maxQueue: 2, entry: slowWorker },
      noSearch,
      () => undefined,
    );
    try {
      await runner.search(task(1));
      const outcomes = await Promise.all(
        Array.from({ length: 6 }, () =>
          runner.search(task(300)).then(
            () => 'ok',
            (error: unknown) => (error instanceof HttpError ? error.statusCode : 'other'),
          ),
        ),
      );
      expect(outcomes.filter((outcome) => outcome === 'ok').length).toBeGreaterThanOrEqual(1);
      expect(outcomes).toContain(503);
      expect(outcomes).not.toContain('other');
    } finally {
      await runner.close();
    }
  });
});

describe('public search privacy', () => {
  it('ranks over visible articles only: drafts and scheduled articles cannot change the public order', async () => {
    const clock = manualClock();
    t = await createTestApp({ now: clock.now, config: { searchThreads: 0 } });
    const editor = await t.token('editor');
    const filler = (words: number) => Array.from({ length: words }, () => 'harbour').join(' ');
    await article(t, editor, { headline: 'Pipeline deal', body: `Pipeline. ${filler(5)}` });
    await article(t, editor, {
      headline: 'Port news',
      body: `pipeline pipeline pipeline pipeline. ${filler(400)}`,
    });
    await article(t, editor, { headline: 'Shipping', body: `pipeline pipeline. ${filler(60)}` });
    await article(t, editor, { headline: 'Tankers', body: `pipeline. ${filler(2)}` });
    const before = await searchSlugs(t, 'pipeline');
    expect(before).toHaveLength(4);

    // Many long drafts and scheduled articles that use the word: bm25 over them would change
    // the average length and the word's rarity, and so the order of the public results.
    const later = new Date(clock.now().getTime() + 86_400_000).toISOString();
    for (let index = 0; index < 12; index += 1) {
      await article(
        t,
        editor,
        { headline: `Secret ${index}`, body: `pipeline ${filler(3000)}` },
        false,
      );
      await article(
        t,
        editor,
        { headline: `Embargoed ${index}`, body: `zanzibar pipeline ${filler(3000)}` },
        { publishedAt: later },
      );
    }
    expect(await searchSlugs(t, 'pipeline')).toEqual(before);
    expect(await searchSlugs(t, 'zanzibar')).toEqual([]);

    // Once the scheduled articles fall due they join the index, without any write.
    clock.advance(86_400_001);
    expect(await searchSlugs(t, 'zanzibar')).toHaveLength(12);
  });

  it('lets editors search every article, whichever index holds it, as it moves between them', async () => {
    const clock = manualClock();
    t = await createTestApp({ now: clock.now, config: { searchThreads: 0 } });
    const editor = await t.token('editor');
    const draft = await article(t, editor, { headline: 'Volga bridge draft' }, false);
    const live = await article(t, editor, { headline: 'Volga bridge opens' });
    const later = new Date(clock.now().getTime() + 3_600_000).toISOString();
    const scheduled = await article(
      t,
      editor,
      { headline: 'Volga bridge toll' },
      { publishedAt: later },
    );
    const app = t;
    const editorSearch = async () =>
      (
        (await app.api.get('/v1/admin/articles?q=volga').set(bearer(editor)).expect(200)).body
          .data as Array<{ id: string }>
      )
        .map((item) => item.id)
        .sort();
    const all = [draft.id, live.id, scheduled.id].sort();
    expect(await editorSearch()).toEqual(all);
    expect(await searchSlugs(t, 'volga')).toEqual([live.slug]);
    // An edit of the live article changes its text in the public index only once.
    await t.api
      .patch(`/v1/admin/articles/${live.id}`)
      .set(bearer(editor))
      .set('If-Match', '"2"')
      .send({ dek: 'Kazan traffic eases' })
      .expect(200);
    expect(await searchSlugs(t, 'kazan')).toEqual([live.slug]);
    clock.advance(3_600_001);
    expect((await searchSlugs(t, 'volga')).sort()).toEqual([live.slug, scheduled.slug].sort());
    expect(await editorSearch()).toEqual(all);
    await t.api
      .post(`/v1/admin/articles/${live.id}/unpublish`)
      .set(bearer(editor))
      .set('If-Match', '"3"')
      .expect(200);
    expect(await searchSlugs(t, 'kazan')).toEqual([]);
    expect(await editorSearch()).toEqual(all);
  });

  it('takes an unpublished article out of the public index at once', async () => {
    t = await createTestApp({ config: { searchThreads: 0 } });
    const editor = await t.token('editor');
    const story = await article(t, editor, { headline: 'Kherson ferry resumes' });
    expect(await searchSlugs(t, 'kherson')).toEqual([story.slug]);
    await t.api
      .post(`/v1/admin/articles/${story.id}/unpublish`)
      .set(bearer(editor))
      .set('If-Match', '"2"')
      .expect(200);
    expect(await searchSlugs(t, 'kherson')).toEqual([]);
  });
});
