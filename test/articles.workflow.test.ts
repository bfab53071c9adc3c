import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, manualClock, type TestApp } from './helpers.ts';

const clock = manualClock(new Date('2026-11-28T09:00:00.000Z'));
let t: TestApp;
let writer: string;
let editor: string;

beforeAll(async () => {
  t = await createTestApp({ now: clock.now });
  writer = await t.token('writer');
  editor = await t.token('editor');
});
afterAll(async () => t.close());

async function draft(fields: Record<string, unknown> = {}, token = writer) {
  const response = await t.api
    .post('/v1/admin/articles')
    .set(bearer(token))
    .send({
      headline: `Story ${Math.random().toString(36).slice(2)}`,
      body: 'Some words here.',
      ...fields,
    })
    .expect(201);
  return response.body.data as { id: string; slug: string; version: number; status: string };
}

const publicSlugs = async () =>
  (
    (await t.api.get('/v1/articles?limit=100').expect(200)).body.data as Array<{ slug: string }>
  ).map((a) => a.slug);

describe('editorial workflow', () => {
  it('create → edit → publish → visible → unpublish → invisible', async () => {
    const created = await draft({ headline: 'Ministers Meet in Moscow' });
    expect(created).toMatchObject({
      status: 'draft',
      version: 1,
      slug: 'ministers-meet-in-moscow',
    });
    await t.api.get('/v1/articles/ministers-meet-in-moscow').expect(404);

    const edited = await t.api
      .patch(`/v1/admin/articles/${created.id}`)
      .set(bearer(writer))
      .set('If-Match', '"1"')
      .send({
        dek: 'Talks in the Russian capital.',
        body: 'Russia said on **Wednesday** that a roadmap is coming.',
      })
      .expect(200);
    expect(edited.headers.etag).toBe('"2"');
    expect(edited.body.data).toMatchObject({
      version: 2,
      dek: 'Talks in the Russian capital.',
      bodyHtml: '<p>Russia said on <strong>Wednesday</strong> that a roadmap is coming.</p>\n',
      excerpt: 'Russia said on Wednesday that a roadmap is coming.',
      wordCount: 9,
      readingTimeMinutes: 1,
    });

    const published = await t.api
      .post(`/v1/admin/articles/${created.id}/publish`)
      .set(bearer(editor))
      .set('If-Match', edited.headers.etag ?? '')
      .expect(200);
    expect(published.body.data).toMatchObject({
      status: 'published',
      version: 3,
      publishedAt: clock.now().toISOString(),
    });

    const page = await t.api.get('/v1/articles/ministers-meet-in-moscow').expect(200);
    expect(page.body.data).toMatchObject({
      headline: 'Ministers Meet in Moscow',
      bodyHtml: expect.stringContaining('<strong>'),
    });
    expect(page.body.data).not.toHaveProperty('body');
    expect(page.body.data).not.toHaveProperty('status');
    expect(await publicSlugs()).toContain('ministers-meet-in-moscow');

    await t.api
      .post(`/v1/admin/articles/${created.id}/unpublish`)
      .set(bearer(editor))
      .set('If-Match', '"3"')
      .expect(200);
    await t.api.get('/v1/articles/ministers-meet-in-moscow').expect(404);
    expect(await publicSlugs()).not.toContain('ministers-meet-in-moscow');
  });

  it('schedules: invisible until its time, then visible with no write in between', async () => {
    const created = await draft({ headline: 'Scheduled Analysis' });
    const at = new Date(clock.now().getTime() + 3_600_000).toISOString();
    const scheduled = await t.api
      .post(`/v1/admin/articles/${created.id}/publish`)
      .set(bearer(editor))
      .set('If-Match', '"1"')
      .send({ publishedAt: at })
      .expect(200);
    expect(scheduled.body.data).toMatchObject({ status: 'scheduled', publishedAt: at });
    await t.api.get('/v1/articles/scheduled-analysis').expect(404);
    expect(await publicSlugs()).not.toContain('scheduled-analysis');
    const admin = await t.api
      .get('/v1/admin/articles?status=scheduled')
      .set(bearer(writer))
      .expect(200);
    expect((admin.body.data as Array<{ id: string }>).map((a) => a.id)).toContain(created.id);

    clock.advance(3_600_000);
    await t.api.get('/v1/articles/scheduled-analysis').expect(200);
    expect(await publicSlugs()).toContain('scheduled-analysis');
    const after = await t.api
      .get(`/v1/admin/articles/${created.id}`)
      .set(bearer(writer))
      .expect(200);
    expect(after.body.data.status).toBe('published');
  });

  it('archives: off every public route, kept for the editors', async () => {
    const created = await draft({ headline: 'Old News' });
    await t.api
      .post(`/v1/admin/articles/${created.id}/publish`)
      .set(bearer(editor))
      .set('If-Match', '"1"')
      .expect(200);
    await t.api.get('/v1/articles/old-news').expect(200);
    const archived = await t.api
      .post(`/v1/admin/articles/${created.id}/archive`)
      .set(bearer(editor))
      .set('If-Match', '"2"')
      .expect(200);
    expect(archived.body.data.status).toBe('archived');
    await t.api.get('/v1/articles/old-news').expect(404);
    await t.api
      .post(`/v1/admin/articles/${created.id}/archive`)
      .set(bearer(editor))
      .set('If-Match', '"3"')
      .expect(409);
  });
});

describe('roles', () => {
  it('lets a writer draft and edit drafts, but not publish, unpublish, or touch published work', async () => {
    const created = await draft();
    await t.api
      .post(`/v1/admin/articles/${created.id}/publish`)
      .set(bearer(writer))
      .set('If-Match', '"1"')
      .expect(403);
    await t.api
      .post(`/v1/admin/articles/${created.id}/publish`)
      .set(bearer(editor))
      .set('If-Match', '"1"')
      .expect(200);
    const edit = await t.api
      .patch(`/v1/admin/articles/${created.id}`)
      .set(bearer(writer))
      .set('If-Match', '"2"')
      .send({ headline: 'Changed' })
      .expect(403);
    expect(edit.body.detail).toMatch(/drafts only/);
    await t.api
      .delete(`/v1/admin/articles/${created.id}`)
      .set(bearer(writer))
      .set('If-Match', '"2"')
      .expect(403);
    await t.api
      .post(`/v1/admin/articles/${created.id}/unpublish`)
      .set(bearer(writer))
      .set('If-Match', '"2"')
      .expect(403);
    await t.api
      .patch(`/v1/admin/articles/${created.id}`)
      .set(bearer(editor))
      .set('If-Match', '"2"')
      .send({ headline: 'Changed' })
      .expect(200);

    const mine = await draft();
    await t.api
      .delete(`/v1/admin/articles/${mine.id}`)
      .set(bearer(writer))
      .set('If-Match', '"1"')
      .expect(204);
    await t.api.get(`/v1/admin/articles/${mine.id}`).set(bearer(writer)).expect(404);
  });
});

describe('no lost edits', () => {
  it('needs If-Match (428) and refuses a stale one (412, with the current version)', async () => {
    const created = await draft();
    const missing = await t.api
      .patch(`/v1/admin/articles/${created.id}`)
      .set(bearer(writer))
      .send({ headline: 'x' })
      .expect(428);
    expect(missing.headers['content-type']).toMatch(/problem\+json/);
    await t.api.delete(`/v1/admin/articles/${created.id}`).set(bearer(editor)).expect(428);
    await t.api.post(`/v1/admin/articles/${created.id}/publish`).set(bearer(editor)).expect(428);

    await t.api
      .patch(`/v1/admin/articles/${created.id}`)
      .set(bearer(writer))
      .set('If-Match', '"1"')
      .send({ headline: 'First' })
      .expect(200);
    const stale = await t.api
      .patch(`/v1/admin/articles/${created.id}`)
      .set(bearer(writer))
      .set('If-Match', '"1"')
      .send({ headline: 'Second' })
      .expect(412);
    expect(stale.body.currentVersion).toBe(2);
    await t.api
      .patch(`/v1/admin/articles/${created.id}`)
      .set(bearer(writer))
      .set('If-Match', 'W/"2"')
      .send({ headline: 'Weak' })
      .expect(412);
    const current = await t.api
      .get(`/v1/admin/articles/${created.id}`)
      .set(bearer(writer))
      .expect(200);
    expect(current.body.data.headline).toBe('First');
    expect(current.headers.etag).toBe('"2"');
  });

  it('lets exactly one of two concurrent editors win; the other gets 412', async () => {
    const created = await draft({ body: 'Original.' });
    const [a, b] = await Promise.all([
      t.api
        .patch(`/v1/admin/articles/${created.id}`)
        .set(bearer(editor))
        .set('If-Match', '"1"')
        .send({ body: 'Edit A.' }),
      t.api
        .patch(`/v1/admin/articles/${created.id}`)
        .set(bearer(editor))
        .set('If-Match', '"1"')
        .send({ body: 'Edit B.' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 412]);
    const winner = a.status === 200 ? 'Edit A.' : 'Edit B.';
    const current = await t.api
      .get(`/v1/admin/articles/${created.id}`)
      .set(bearer(editor))
      .expect(200);
    expect(current.body.data).toMatchObject({ body: winner, version: 2 });
  });
});

describe('revisions', () => {
  it('keeps every previous version and restores one as a new version', async () => {
    const created = await draft({ headline: 'Version One', body: 'First text.' });
    await t.api
      .patch(`/v1/admin/articles/${created.id}`)
      .set(bearer(writer))
      .set('If-Match', '"1"')
      .send({ headline: 'Version Two', body: 'Second text.' })
      .expect(200);
    await t.api
      .patch(`/v1/admin/articles/${created.id}`)
      .set(bearer(writer))
      .set('If-Match', '"2"')
      .send({ headline: 'Version Three' })
      .expect(200);
    const revisions = await t.api
      .get(`/v1/admin/articles/${created.id}/revisions`)
      .set(bearer(writer))
      .expect(200);
    expect(
      (revisions.body.data as Array<{ version: number; headline: string }>).map((r) => [
        r.version,
        r.headline,
      ]),
    ).toEqual([
      [2, 'Version Two'],
      [1, 'Version One'],
    ]);
    const first = (revisions.body.data as Array<{ id: string; version: number }>).find(
      (r) => r.version === 1,
    );
    const restored = await t.api
      .post(`/v1/admin/articles/${created.id}/revisions/${first?.id}/restore`)
      .set(bearer(writer))
      .set('If-Match', '"3"')
      .expect(200);
    expect(restored.body.data).toMatchObject({
      headline: 'Version One',
      body: 'First text.',
      version: 4,
      slug: created.slug,
    });
    await t.api
      .post(`/v1/admin/articles/${created.id}/revisions/${first?.id}/restore`)
      .set(bearer(writer))
      .set('If-Match', '"3"')
      .expect(412);
    await t.api
      .post(`/v1/admin/articles/${created.id}/revisions/rev_00000000000000000000000000/restore`)
      .set(bearer(writer))
      .set('If-Match', '"4"')
      .expect(404);
  });

  it('keeps only the last 50 revisions', async () => {
    const created = await draft();
    for (let version = 1; version <= 55; version += 1) {
      await t.api
        .patch(`/v1/admin/articles/${created.id}`)
        .set(bearer(writer))
        .set('If-Match', `"${version}"`)
        .send({ body: `Text ${version}.` })
        .expect(200);
    }
    const revisions = await t.api
      .get(`/v1/admin/articles/${created.id}/revisions`)
      .set(bearer(writer))
      .expect(200);
    const versions = (revisions.body.data as Array<{ version: number }>).map((r) => r.version);
    expect(versions).toHaveLength(50);
    expect(versions[0]).toBe(55);
    expect(versions.at(-1)).toBe(6);
  });
});
