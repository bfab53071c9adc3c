import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, publishArticleWith, type TestApp } from './helpers.ts';

let t: TestApp;
let writer: string;
let editor: string;

beforeAll(async () => {
  t = await createTestApp();
  writer = await t.token('writer');
  editor = await t.token('editor');
});
afterAll(async () => t.close());

describe('tags', () => {
  it('generates slugs from names, transliterating Cyrillic, and numbers duplicates', async () => {
    const first = await t.api
      .post('/v1/admin/tags')
      .set(bearer(writer))
      .send({ name: 'Россия' })
      .expect(201);
    expect(first.body.data.slug).toBe('rossiya');
    const second = await t.api
      .post('/v1/admin/tags')
      .set(bearer(writer))
      .send({ name: 'Rossiya' })
      .expect(201);
    expect(second.body.data.slug).toBe('rossiya-2');
    const accents = await t.api
      .post('/v1/admin/tags')
      .set(bearer(writer))
      .send({ name: 'Türkiye & Ελλάδα ☕' })
      .expect(201);
    expect(accents.body.data.slug).toMatch(/^turkiye/);
    const emoji = await t.api
      .post('/v1/admin/tags')
      .set(bearer(writer))
      .send({ name: '☕☕' })
      .expect(201);
    expect(emoji.body.data.slug).toMatch(/^tag(-\d+)?$/);
  });

  it('gives every concurrent create of the same name its own slug', async () => {
    const responses = await Promise.all(
      Array.from({ length: 8 }, () =>
        t.api.post('/v1/admin/tags').set(bearer(writer)).send({ name: 'Breaking News' }),
      ),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(8).fill(201));
    const slugs = responses.map((response) => response.body.data.slug as string);
    expect(new Set(slugs).size).toBe(8);
    expect(slugs).toContain('breaking-news');
  });

  it('rejects an explicit slug that is taken, malformed, or too long', async () => {
    await t.api
      .post('/v1/admin/tags')
      .set(bearer(writer))
      .send({ name: 'Syria', slug: 'syria' })
      .expect(201);
    await t.api
      .post('/v1/admin/tags')
      .set(bearer(writer))
      .send({ name: 'Syria again', slug: 'syria' })
      .expect(409);
    for (const slug of ['Syria', 'syria--war', '-syria', 'syria war', '../etc', 'a'.repeat(81)]) {
      const response = await t.api
        .post('/v1/admin/tags')
        .set(bearer(writer))
        .send({ name: 'x', slug })
        .expect(400);
      expect(response.body.errors).toEqual([{ path: 'body.slug', message: expect.any(String) }]);
    }
  });

  it('serves tags publicly by slug and in alphabetical pages', async () => {
    const created = await t.api
      .post('/v1/admin/tags')
      .set(bearer(writer))
      .send({ name: 'Iran', description: 'The Islamic Republic.' })
      .expect(201);
    // A tag nobody published an article under is not public yet.
    await t.api.get('/v1/tags/iran').expect(404);
    const admin = await t.api.get('/v1/admin/tags?limit=100').set(bearer(writer)).expect(200);
    const allIds = (admin.body.data as Array<{ id: string }>).map((tag) => tag.id);
    for (let index = 0; index < allIds.length; index += 10)
      await publishArticleWith(t, editor, { tagIds: allIds.slice(index, index + 10) });
    const bySlug = await t.api.get('/v1/tags/iran').expect(200);
    expect(bySlug.body.data).toMatchObject({
      id: created.body.data.id,
      slug: 'iran',
      name: 'Iran',
      description: 'The Islamic Republic.',
    });

    const slugs: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await t.api
        .get(`/v1/tags?limit=3${cursor === null ? '' : `&cursor=${cursor}`}`)
        .expect(200);
      expect(page.body.meta).not.toHaveProperty('total');
      slugs.push(...(page.body.data as Array<{ slug: string }>).map((tag) => tag.slug));
      cursor = page.body.meta.nextCursor as string | null;
    } while (cursor !== null);
    expect(slugs).toEqual([...slugs].sort());
    expect(admin.body.meta.total).toBe(slugs.length);
  });

  it('lets editors rename and re-slug, keeping slugs unique', async () => {
    const tag = await t.api
      .post('/v1/admin/tags')
      .set(bearer(writer))
      .send({ name: 'Middle East' })
      .expect(201);
    await t.api
      .patch(`/v1/admin/tags/${tag.body.data.id}`)
      .set(bearer(writer))
      .send({ name: 'x' })
      .expect(403);
    const renamed = await t.api
      .patch(`/v1/admin/tags/${tag.body.data.id}`)
      .set(bearer(editor))
      .send({ name: 'Middle East & North Africa', slug: 'mena', description: 'Region' })
      .expect(200);
    expect(renamed.body.data).toMatchObject({
      name: 'Middle East & North Africa',
      slug: 'mena',
      description: 'Region',
    });
    // Keeping its own slug is not a conflict; taking another's is.
    await t.api
      .patch(`/v1/admin/tags/${tag.body.data.id}`)
      .set(bearer(editor))
      .send({ slug: 'mena' })
      .expect(200);
    await t.api
      .patch(`/v1/admin/tags/${tag.body.data.id}`)
      .set(bearer(editor))
      .send({ slug: 'syria' })
      .expect(409);
    await publishArticleWith(t, editor, { tagIds: [tag.body.data.id] });
    await t.api.get('/v1/tags/middle-east').expect(404);
    await t.api.get('/v1/tags/mena').expect(200);
  });

  it('deletes a tag (editor only)', async () => {
    const tag = await t.api
      .post('/v1/admin/tags')
      .set(bearer(writer))
      .send({ name: 'Ephemeral' })
      .expect(201);
    await t.api.delete(`/v1/admin/tags/${tag.body.data.id}`).set(bearer(writer)).expect(403);
    await t.api.delete(`/v1/admin/tags/${tag.body.data.id}`).set(bearer(editor)).expect(204);
    await t.api.get('/v1/tags/ephemeral').expect(404);
  });

  it('keeps a writer’s new tag off the public site until an editor publishes an article under it', async () => {
    const tag = await t.api
      .post('/v1/admin/tags')
      .set(bearer(writer))
      .send({ name: 'Breaking <img src=x>' })
      .expect(201);
    const draft = await t.api
      .post('/v1/admin/articles')
      .set(bearer(writer))
      .send({ headline: 'Unvetted', body: 'Text.', tagIds: [tag.body.data.id] })
      .expect(201);
    const publicSlugs = async () =>
      (
        (await t.api.get('/v1/tags?limit=100').expect(200)).body.data as Array<{ slug: string }>
      ).map((item) => item.slug);
    expect(await publicSlugs()).not.toContain(tag.body.data.slug);
    await t.api.get(`/v1/tags/${tag.body.data.slug}`).expect(404);
    await t.api
      .post(`/v1/admin/articles/${draft.body.data.id}/publish`)
      .set(bearer(editor))
      .set('If-Match', '"1"')
      .send({})
      .expect(200);
    // The cached list and page change at once.
    expect(await publicSlugs()).toContain(tag.body.data.slug);
    await t.api.get(`/v1/tags/${tag.body.data.slug}`).expect(200);
    await t.api
      .post(`/v1/admin/articles/${draft.body.data.id}/unpublish`)
      .set(bearer(editor))
      .set('If-Match', '"2"')
      .expect(200);
    expect(await publicSlugs()).not.toContain(tag.body.data.slug);
    await t.api.get(`/v1/tags/${tag.body.data.slug}`).expect(404);
  });
});
