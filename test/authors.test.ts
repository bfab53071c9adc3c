import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, publishArticleWith, samplePhoto, type TestApp } from './helpers.ts';

let t: TestApp;
let writer: string;
let editor: string;

beforeAll(async () => {
  t = await createTestApp();
  writer = await t.token('writer');
  editor = await t.token('editor');
});
afterAll(async () => t.close());

describe('authors', () => {
  it('creates a byline with photo and links; email stays private', async () => {
    const photo = await t.api
      .post('/v1/admin/photos')
      .set(bearer(writer))
      .send(samplePhoto)
      .expect(201);
    const created = await t.api
      .post('/v1/admin/authors')
      .set(bearer(writer))
      .send({
        name: 'Сергей Лавров',
        bio: 'Covers foreign policy.',
        email: '  Sergei.Writer@NEWSROOM.Example ',
        photoId: photo.body.data.id,
        links: [{ label: 'Website', url: 'https://example.org/sergei' }],
      })
      .expect(201);
    expect(created.body.data).toMatchObject({
      slug: 'sergey-lavrov',
      email: 'Sergei.Writer@newsroom.example',
      photo: { id: photo.body.data.id, credit: { line: 'Valery Sharifulin / TASS' } },
    });

    // A byline is public once a published article carries it (as in Ghost).
    await t.api.get('/v1/authors/sergey-lavrov').expect(404);
    expect((await t.api.get('/v1/authors').expect(200)).body.data).toEqual([]);
    await publishArticleWith(t, editor, { authorIds: [created.body.data.id] });
    const publicAuthor = await t.api.get('/v1/authors/sergey-lavrov').expect(200);
    expect(publicAuthor.body.data).toEqual({
      id: created.body.data.id,
      slug: 'sergey-lavrov',
      name: 'Сергей Лавров',
      bio: 'Covers foreign policy.',
      photo: created.body.data.photo,
      links: [{ label: 'Website', url: 'https://example.org/sergei' }],
    });
    const list = await t.api.get('/v1/authors').expect(200);
    expect(JSON.stringify(list.body)).not.toMatch(/newsroom\.example|email/i);
  });

  it('rejects an unknown photo id naming the field, and a bad email', async () => {
    const response = await t.api
      .post('/v1/admin/authors')
      .set(bearer(writer))
      .send({ name: 'No Photo', photoId: 'pho_00000000000000000000000000', email: 'not-an-email' })
      .expect(400);
    expect((response.body.errors as Array<{ path: string }>).map((error) => error.path)).toEqual([
      'body.email',
    ]);
    const photoless = await t.api
      .post('/v1/admin/authors')
      .set(bearer(writer))
      .send({ name: 'No Photo', photoId: 'pho_00000000000000000000000000' })
      .expect(400);
    expect(photoless.body.errors).toEqual([
      { path: 'body.photoId', message: 'No photo with that id.' },
    ]);
    await t.api.get('/v1/authors/no-photo').expect(404);
  });

  it('embeds photos in lists with one query for the whole page', async () => {
    const authorIds: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const photo = await t.api
        .post('/v1/admin/photos')
        .set(bearer(writer))
        .send({ ...samplePhoto, url: `https://cdn.example.org/a${i}.jpg` })
        .expect(201);
      await t.api
        .post('/v1/admin/authors')
        .set(bearer(writer))
        .send({ name: `Staff Writer ${i}`, photoId: photo.body.data.id })
        .expect(201)
        .then((response) => authorIds.push(response.body.data.id as string));
    }
    await publishArticleWith(t, editor, { authorIds });
    const page = await t.api.get('/v1/authors?limit=100').expect(200);
    const withPhotos = (page.body.data as Array<{ photo: { url: string } | null }>).filter(
      (author) => author.photo !== null,
    );
    expect(withPhotos.length).toBeGreaterThanOrEqual(5);
  });

  it('edits (editor), clears optional fields with null, and deletes', async () => {
    const created = await t.api
      .post('/v1/admin/authors')
      .set(bearer(writer))
      .send({ name: 'Temp Byline', bio: 'x' })
      .expect(201);
    const id = created.body.data.id as string;
    await t.api.patch(`/v1/admin/authors/${id}`).set(bearer(writer)).send({ bio: 'y' }).expect(403);
    const edited = await t.api
      .patch(`/v1/admin/authors/${id}`)
      .set(bearer(editor))
      .send({ bio: null, name: 'Renamed' })
      .expect(200);
    expect(edited.body.data).toMatchObject({ bio: null, name: 'Renamed', slug: 'temp-byline' });
    expect(Date.parse(edited.body.data.updatedAt)).toBeGreaterThanOrEqual(
      Date.parse(created.body.data.updatedAt),
    );
    await t.api.get(`/v1/admin/authors/${id}`).set(bearer(writer)).expect(200);
    await t.api.delete(`/v1/admin/authors/${id}`).set(bearer(editor)).expect(204);
    await t.api.get(`/v1/admin/authors/${id}`).set(bearer(writer)).expect(404);
    await t.api.get('/v1/authors/temp-byline').expect(404);
  });
});
