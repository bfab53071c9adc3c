import { asc, lt } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import {
  bearer,
  createTestApp,
  manualClock,
  publishArticleWith,
  type TestApp,
  type TestDatabase,
  testConfig,
  onPostgres,
} from './helpers.ts';
import { logChange } from '../src/modules/shared/change-log.ts';

// The change log: a row per committed content change, in the change's own transaction, tailed
// by every process over the database so that a write made elsewhere (another instance, the CLI)
// drops what this process's response cache holds for it.

let t: TestApp;
const others: Array<{ close: () => Promise<unknown> }> = [];
afterEach(async () => {
  for (const app of others.splice(0)) await app.close();
  await t.close();
});

async function loggedKeys(app: TestApp['app']): Promise<string[][]> {
  const { changeLog } = app.store.tables;
  const rows = await app.store.db.select().from(changeLog).orderBy(asc(changeLog.id));
  return rows.map((row) => row.keys);
}

/** A second app over the same database, as another instance or process would be. */
async function secondProcess(database: TestDatabase) {
  const app = await buildApp({ config: testConfig(database.config) });
  await app.ready();
  others.push(app);
  return app;
}

describe('the change log', () => {
  it('holds the keys of every committed change, and nothing of a refused one', async () => {
    t = await createTestApp();
    const editor = await t.token('editor');
    const as = bearer(editor);
    const tag = (await t.api.post('/v1/admin/tags').set(as).send({ name: 'Docks' }).expect(201))
      .body.data;
    // Refused: the slug is taken. Its transaction rolled back, with its log row.
    await t.api.post('/v1/admin/tags').set(as).send({ name: 'Other', slug: 'docks' }).expect(409);
    await t.api.patch(`/v1/admin/tags/${tag.id}`).set(as).send({ name: 'Docklands' }).expect(200);
    const article = await publishArticleWith(t, editor, { tagIds: [tag.id] });
    const logged = await loggedKeys(t.app);
    expect(logged.slice(0, 2)).toEqual([['tags'], ['tags', `tag:${tag.id}`, 'articles']]);
    // A draft's creation is not public: the publication is the first change readers see.
    expect(logged).toHaveLength(3);
    expect(logged[2]).toEqual(
      expect.arrayContaining([`article:${article.id}`, 'articles', `slug:${article.slug}`]),
    );
  });

  it('carries a write made by another process to this one’s cache', async () => {
    t = await createTestApp();
    const editor = await t.token('editor');
    const article = await publishArticleWith(t, editor, { headline: 'Ferry timetable' });
    const reader = await secondProcess(t.database);
    const read = () => reader.inject(`/v1/articles/${article.slug}`);
    expect((await read()).headers['x-cache']).toBe('miss');
    expect((await read()).headers['x-cache']).toBe('hit');

    await t.api
      .patch(`/v1/admin/articles/${article.id}`)
      .set(bearer(editor))
      .set('If-Match', '"2"')
      .send({ headline: 'Ferry timetable changes' })
      .expect(200);
    // On SQLite the reader's cache still holds the old answer until it reads the log (every
    // CHANGE_POLL_MS; here at once). On PostgreSQL a NOTIFY may have woken it already.
    if (!onPostgres) expect(JSON.parse((await read()).body).data.headline).toBe('Ferry timetable');
    await reader.services.changeFeed.poll();
    const fresh = await read();
    expect(fresh.headers['x-cache']).toBe('miss');
    expect(JSON.parse(fresh.body).data.headline).toBe('Ferry timetable changes');
  });

  it('does not drop what this process cached after its own write when it reads that write back', async () => {
    t = await createTestApp();
    const editor = await t.token('editor');
    const article = await publishArticleWith(t, editor, { headline: 'Harbour dredging' });
    const url = `/v1/articles/${article.slug}`;
    await t.api.get(url).expect(200);
    expect((await t.api.get(url).expect(200)).headers['x-cache']).toBe('hit');
    // The feed now reads the publish from the log: this process told its cache at commit.
    await t.app.services.changeFeed.poll();
    expect((await t.api.get(url).expect(200)).headers['x-cache']).toBe('hit');
  });

  it('makes a process that missed changes (pruned while it was behind) drop its whole cache', async () => {
    t = await createTestApp();
    const as = bearer(await t.token('editor'));
    const reader = await secondProcess(t.database);
    await reader.inject('/v1/tags');
    expect((await reader.inject('/v1/tags')).headers['x-cache']).toBe('hit');
    // The reader falls behind (a paused process): its feed reads nothing until told to.
    await reader.services.changeFeed.stop();
    for (const name of ['One', 'Two', 'Three']) {
      await t.api
        .post('/v1/admin/photos')
        .set(as)
        .send({
          url: `https://cdn.example.org/${name}.jpg`,
          altText: name,
          credit: { agency: 'Wire' },
        });
      await t.api.post('/v1/admin/pages').set(as).send({ title: name, body: 'Text.' });
    }
    // None of these touched tags; losing all but the newest makes the reader distrust its cache.
    const { changeLog } = t.app.store.tables;
    const logged = await t.app.store.db.select({ id: changeLog.id }).from(changeLog);
    const newest = Math.max(...logged.map((row) => row.id));
    await t.app.store.write((tx) => tx.delete(changeLog).where(lt(changeLog.id, newest)));
    await reader.services.changeFeed.poll();
    expect((await reader.inject('/v1/tags')).headers['x-cache']).toBe('miss');
  });

  it.runIf(onPostgres)(
    'wakes another instance at once on PostgreSQL (NOTIFY), long before its next timed read',
    async () => {
      t = await createTestApp();
      const as = bearer(await t.token('editor'));
      const reader = await buildApp({
        config: testConfig({ ...t.database.config, changePollMs: 60_000 }),
      });
      await reader.ready();
      others.push(reader);
      await reader.inject('/v1/tags');
      expect((await reader.inject('/v1/tags')).headers['x-cache']).toBe('hit');
      const tag = (await t.api.post('/v1/admin/tags').set(as).send({ name: 'Quays' })).body.data;
      await publishArticleWith(t, await t.token('editor'), { tagIds: [tag.id] });
      const deadline = Date.now() + 5_000;
      let tags = JSON.parse((await reader.inject('/v1/tags')).body).data;
      while (tags.length === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        tags = JSON.parse((await reader.inject('/v1/tags')).body).data;
      }
      expect(tags.map((each: { slug: string }) => each.slug)).toEqual(['quays']);
    },
  );

  it('makes change ids visible in the order they were taken, whatever the commit order', async () => {
    t = await createTestApp();
    const store = t.app.store;
    const { changeLog } = store.tables;
    let releaseFirst: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    const order: string[] = [];
    const at = new Date();
    // The first takes its id, then keeps its transaction open; the second would take the next
    // id and commit first if nothing held it, and a reader would move past the first's id.
    const first = store.write(async (tx) => {
      await logChange(store, tx, ['tags'], at);
      await held;
      order.push('first');
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = store.write(async (tx) => {
      await logChange(store, tx, ['pages'], at);
      order.push('second');
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(order).toEqual([]);
    releaseFirst();
    await Promise.all([first, second]);
    expect(order).toEqual(['first', 'second']);
    const rows = await store.db.select().from(changeLog).orderBy(asc(changeLog.id));
    expect(rows.map((row) => row.keys)).toEqual([['tags'], ['pages']]);
  });

  it('forgets changes older than its retention, always keeping the newest', async () => {
    const clock = manualClock();
    t = await createTestApp({ now: clock.now, config: { changeLogRetentionHours: 24 } });
    const as = bearer(await t.token('editor'));
    await t.api.post('/v1/admin/tags').set(as).send({ name: 'Old' }).expect(201);
    await t.api.post('/v1/admin/tags').set(as).send({ name: 'Older' }).expect(201);
    clock.advance(25 * 3_600_000);
    await t.api.post('/v1/admin/tags').set(as).send({ name: 'New' }).expect(201);
    await t.app.services.changeFeed.prune();
    expect(await loggedKeys(t.app)).toEqual([['tags']]);
    clock.advance(25 * 3_600_000);
    await t.app.services.changeFeed.prune();
    expect(await loggedKeys(t.app)).toHaveLength(1);
  });
});
