import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creditLine } from '../src/modules/photos/photos.schemas.ts';
import { bearer, createTestApp, samplePhoto, type TestApp } from './helpers.ts';

let t: TestApp;
let writer: string;
let editor: string;

beforeAll(async () => {
  t = await createTestApp();
  writer = await t.token('writer');
  editor = await t.token('editor');
});
afterAll(async () => t.close());

describe('photo credits', () => {
  it.each([
    ['Valery Sharifulin', 'TASS', 'Valery Sharifulin / TASS'],
    ['Valery Sharifulin', null, 'Valery Sharifulin'],
    [null, 'TASS', 'TASS'],
  ])('%s + %s → %s', (photographer, agency, line) => {
    expect(creditLine(photographer, agency)).toBe(line);
  });

  it('derives credit.line on create and keeps it in step on edit', async () => {
    const created = await t.api
      .post('/v1/admin/photos')
      .set(bearer(writer))
      .send(samplePhoto)
      .expect(201);
    expect(created.body.data.credit).toEqual({
      photographer: 'Valery Sharifulin',
      agency: 'TASS',
      line: 'Valery Sharifulin / TASS',
      source: 'editor',
    });
    expect(created.headers.location).toBe(`/v1/admin/photos/${created.body.data.id}`);
    const edited = await t.api
      .patch(`/v1/admin/photos/${created.body.data.id}`)
      .set(bearer(editor))
      .send({ credit: { agency: 'Reuters' }, caption: null })
      .expect(200);
    expect(edited.body.data.credit).toEqual({
      photographer: null,
      agency: 'Reuters',
      line: 'Reuters',
      source: 'editor',
    });
    expect(edited.body.data.caption).toBeNull();
    expect(edited.body.data.altText).toBe(samplePhoto.altText);
  });

  it('requires alt text and at least one of photographer and agency', async () => {
    const { altText: _altText, ...withoutAlt } = samplePhoto;
    const response = await t.api
      .post('/v1/admin/photos')
      .set(bearer(writer))
      .send({ ...withoutAlt, credit: { photographer: '  ', agency: '' } })
      .expect(400);
    const paths = (response.body.errors as Array<{ path: string }>).map((error) => error.path);
    expect(paths).toContain('body.altText');
    expect(paths.some((path) => path.startsWith('body.credit'))).toBe(true);
  });

  it.each([
    'javascript:alert(1)',
    'ftp://example.org/a.jpg',
    'file:///etc/passwd',
    'data:image/png;base64,AAAA',
    '/relative.jpg',
  ])('accepts only http(s) URLs, not %s', async (url) => {
    const response = await t.api
      .post('/v1/admin/photos')
      .set(bearer(writer))
      .send({ ...samplePhoto, url })
      .expect(400);
    expect(response.body.errors).toEqual([{ path: 'body.url', message: expect.any(String) }]);
  });

  it('rejects an empty PATCH and unknown fields', async () => {
    const created = await t.api
      .post('/v1/admin/photos')
      .set(bearer(writer))
      .send(samplePhoto)
      .expect(201);
    await t.api
      .patch(`/v1/admin/photos/${created.body.data.id}`)
      .set(bearer(editor))
      .send({})
      .expect(400);
    const response = await t.api
      .patch(`/v1/admin/photos/${created.body.data.id}`)
      .set(bearer(editor))
      .send({ id: 'pho_other', createdAt: '2020-01-01T00:00:00.000Z' })
      .expect(400);
    expect(
      (response.body.errors as Array<{ path: string }>).map((error) => error.path).sort(),
    ).toEqual(['body.createdAt', 'body.id']);
  });
});

describe('photo list and lifecycle', () => {
  it('pages newest first with a stable cursor and a total', async () => {
    for (let i = 0; i < 5; i += 1) {
      await t.api
        .post('/v1/admin/photos')
        .set(bearer(writer))
        .send({ ...samplePhoto, url: `https://cdn.example.org/page-${i}.jpg` })
        .expect(201);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let total = 0;
    do {
      const query: string = cursor === null ? '?limit=2' : `?limit=2&cursor=${cursor}`;
      const page = await t.api.get(`/v1/admin/photos${query}`).set(bearer(writer)).expect(200);
      seen.push(...(page.body.data as Array<{ id: string }>).map((photo) => photo.id));
      cursor = page.body.meta.nextCursor as string | null;
      total = page.body.meta.total as number;
      expect(page.body.meta.limit).toBe(2);
    } while (cursor !== null);
    expect(seen.length).toBe(total);
    expect(new Set(seen).size).toBe(seen.length);
    const all = await t.api.get('/v1/admin/photos?limit=100').set(bearer(writer)).expect(200);
    expect((all.body.data as Array<{ id: string }>).map((photo) => photo.id)).toEqual(seen);
  });

  it('deletes an unused photo, refuses one an author uses (409), and 404s afterwards', async () => {
    const used = await t.api
      .post('/v1/admin/photos')
      .set(bearer(writer))
      .send(samplePhoto)
      .expect(201);
    await t.api
      .post('/v1/admin/authors')
      .set(bearer(writer))
      .send({ name: 'Photo User', photoId: used.body.data.id })
      .expect(201);
    const refused = await t.api
      .delete(`/v1/admin/photos/${used.body.data.id}`)
      .set(bearer(editor))
      .expect(409);
    expect(refused.headers['content-type']).toMatch(/problem\+json/);

    const unused = await t.api
      .post('/v1/admin/photos')
      .set(bearer(writer))
      .send(samplePhoto)
      .expect(201);
    await t.api.delete(`/v1/admin/photos/${unused.body.data.id}`).set(bearer(writer)).expect(403);
    await t.api.delete(`/v1/admin/photos/${unused.body.data.id}`).set(bearer(editor)).expect(204);
    await t.api.get(`/v1/admin/photos/${unused.body.data.id}`).set(bearer(editor)).expect(404);
    await t.api.delete(`/v1/admin/photos/${unused.body.data.id}`).set(bearer(editor)).expect(404);
  });
});
