import { afterEach, describe, expect, it } from 'vitest';
import { signPreviewToken, verifyPreviewToken } from '../src/lib/preview-tokens.ts';
import {
  bearer,
  createTestApp,
  LogCapture,
  manualClock,
  samplePhoto,
  type TestApp,
} from './helpers.ts';

// Draft previews over HTTP: links signed per article, expiring, closed by a key rotation, and an
// answer identical to the public one that no cache keeps.

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function setUp(config: Parameters<typeof createTestApp>[0] = {}) {
  const clock = manualClock();
  t = await createTestApp({ now: clock.now, ...config });
  const editor = await t.token('editor');
  const writer = await t.token('writer');
  const author = await t.api
    .post('/v1/admin/authors')
    .set(bearer(editor))
    .send({ name: 'Anna Petrova' })
    .expect(201);
  const tag = await t.api
    .post('/v1/admin/tags')
    .set(bearer(editor))
    .send({ name: 'Diplomacy' })
    .expect(201);
  const photo = await t.api.post('/v1/admin/photos').set(bearer(editor)).send(samplePhoto);
  const draft = await t.api
    .post('/v1/admin/articles')
    .set(bearer(writer))
    .send({
      headline: 'Ministers meet behind closed doors',
      body: 'The talks lasted **four hours**.',
      authorIds: [author.body.data.id],
      tagIds: [tag.body.data.id],
      photoId: photo.body.data.id,
    })
    .expect(201);
  return { app: t, clock, editor, writer, draft: draft.body.data as { id: string; slug: string } };
}

async function previewLink(app: TestApp, token: string, id: string, body?: object) {
  const response = await app.api
    .post(`/v1/admin/articles/${id}/preview`)
    .set(bearer(token))
    .send(body)
    .expect(201);
  return response.body.data as { url: string; token: string; expiresAt: string };
}

describe('draft previews', () => {
  it('shows a draft exactly as the public route will once it is published, never cached', async () => {
    const { app, clock, editor, writer, draft } = await setUp();
    const link = await previewLink(app, writer, draft.id);
    expect(link.expiresAt).toBe(new Date(clock.now().getTime() + 48 * 3_600_000).toISOString());
    expect(new URL(link.url).pathname).toBe(`/v1/preview/articles/${draft.id}`);
    expect(new URL(link.url).searchParams.get('token')).toBe(link.token);

    const preview = await app.api.get(`/v1/preview/articles/${draft.id}?token=${link.token}`);
    expect(preview.status).toBe(200);
    expect(preview.headers['cache-control']).toBe('private, no-store');
    expect(preview.headers['x-robots-tag']).toContain('noindex');
    expect(preview.headers['referrer-policy']).toBe('no-referrer');
    expect(preview.headers['x-cache']).toBeUndefined();
    expect(preview.headers['surrogate-key']).toBeUndefined();
    expect(preview.body.data.headline).toBe('Ministers meet behind closed doors');
    expect(preview.body.data.bodyHtml).toContain('<strong>four hours</strong>');
    expect(preview.body.data.authors.map((a: { name: string }) => a.name)).toEqual([
      'Anna Petrova',
    ]);
    expect(preview.body.data.photo.credit).toMatchObject(samplePhoto.credit);
    // A draft has no time yet: it shows the moment of the preview.
    expect(preview.body.data.publishedAt).toBe(clock.now().toISOString());

    // The header works as well as the query, and a second read is computed again, not cached.
    const again = await app.api
      .get(`/v1/preview/articles/${draft.id}`)
      .set('Preview-Token', link.token);
    expect(again.status).toBe(200);
    expect(again.headers['cache-control']).toBe('private, no-store');
    expect(app.app.services.responseCache.size).toBe(0);

    // An edit shows at once: nothing kept the earlier answer.
    await app.api
      .patch(`/v1/admin/articles/${draft.id}`)
      .set(bearer(writer))
      .set('If-Match', '"1"')
      .send({ headline: 'Ministers meet again' })
      .expect(200);
    const edited = await app.api.get(`/v1/preview/articles/${draft.id}?token=${link.token}`);
    expect(edited.body.data.headline).toBe('Ministers meet again');

    // Once published, the preview and the public answer are the same bytes.
    await app.api
      .post(`/v1/admin/articles/${draft.id}/publish`)
      .set(bearer(editor))
      .set('If-Match', '"2"')
      .send({})
      .expect(200);
    const published = await app.api.get(`/v1/articles/${edited.body.data.slug}`).expect(200);
    const previewed = await app.api
      .get(`/v1/preview/articles/${draft.id}?token=${link.token}`)
      .expect(200);
    expect(previewed.text).toBe(published.text);
  });

  it('opens a scheduled article before its time, while the public route still says 404', async () => {
    const { app, clock, editor, draft } = await setUp();
    const publishAt = new Date(clock.now().getTime() + 3_600_000).toISOString();
    await app.api
      .post(`/v1/admin/articles/${draft.id}/publish`)
      .set(bearer(editor))
      .set('If-Match', '"1"')
      .send({ publishedAt: publishAt })
      .expect(200);
    await app.api.get(`/v1/articles/${draft.slug}`).expect(404);
    const link = await previewLink(app, editor, draft.id, { expiresInHours: 2 });
    const preview = await app.api
      .get(`/v1/preview/articles/${draft.id}?token=${link.token}`)
      .expect(200);
    expect(preview.body.data.publishedAt).toBe(publishAt);
  });

  it('refuses a missing, tampered, expired, rotated or other article’s token with 403', async () => {
    const { app, clock, editor, writer, draft } = await setUp();
    const other = await app.api
      .post('/v1/admin/articles')
      .set(bearer(writer))
      .send({ headline: 'Another draft', body: 'Text.' })
      .expect(201);
    const link = await previewLink(app, writer, draft.id, { expiresInHours: 1 });
    const read = (id: string, token?: string) =>
      app.api.get(`/v1/preview/articles/${id}${token === undefined ? '' : `?token=${token}`}`);

    const missing = await read(draft.id);
    expect(missing.status).toBe(403);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    expect((await read(other.body.data.id, link.token)).status).toBe(403);
    const [expiry, signature] = link.token.split('.');
    const flipped = `${signature?.startsWith('A') === true ? 'B' : 'A'}${signature?.slice(1)}`;
    expect((await read(draft.id, `${expiry}.${flipped}`)).status).toBe(403);
    // A later expiry under the old signature: the expiry is signed too.
    expect((await read(draft.id, `${Number(expiry) + 3600}.${signature}`)).status).toBe(403);
    expect((await read(draft.id, 'not-a-token')).status).toBe(403);
    expect((await read(draft.id, link.token)).status).toBe(200);

    clock.advance(3_600_000);
    expect((await read(draft.id, link.token)).status).toBe(403);

    const fresh = await previewLink(app, writer, draft.id);
    expect((await read(draft.id, fresh.token)).status).toBe(200);
    // Writers cannot close every editor's links; editors can.
    await app.api.post('/v1/admin/previews/rotate-key').set(bearer(writer)).expect(403);
    const rotated = await app.api
      .post('/v1/admin/previews/rotate-key')
      .set(bearer(editor))
      .expect(200);
    expect(rotated.body.data.rotatedAt).toBe(clock.now().toISOString());
    expect((await read(draft.id, fresh.token)).status).toBe(403);
    const afterRotation = await previewLink(app, writer, draft.id);
    expect((await read(draft.id, afterRotation.token)).status).toBe(200);
  });

  it('needs a token to create a link, checks the body, and answers 404 for an unknown article', async () => {
    const { app, writer, draft } = await setUp();
    await app.api.post(`/v1/admin/articles/${draft.id}/preview`).expect(401);
    const bad = await app.api
      .post(`/v1/admin/articles/${draft.id}/preview`)
      .set(bearer(writer))
      .send({ expiresInHours: 0, extra: true })
      .expect(400);
    const paths = (bad.body.errors as Array<{ path: string }>).map((error) => error.path);
    expect(paths).toEqual(expect.arrayContaining(['body.expiresInHours']));
    await app.api
      .post('/v1/admin/articles/art_00000000000000000000000000/preview')
      .set(bearer(writer))
      .expect(404);
    // A deleted article's link answers 404, not another article.
    const link = await previewLink(app, writer, draft.id);
    await app.api
      .delete(`/v1/admin/articles/${draft.id}`)
      .set(bearer(writer))
      .set('If-Match', '"1"')
      .expect(204);
    await app.api.get(`/v1/preview/articles/${draft.id}?token=${link.token}`).expect(404);
  });

  it('points the link at the frontend with PREVIEW_URL_TEMPLATE', async () => {
    const { app, writer, draft } = await setUp({
      config: {
        siteUrl: 'https://news.example.org',
        previewUrlTemplate: '{site}/preview/{language}/{slug}?id={id}&token={token}',
      },
    });
    const link = await previewLink(app, writer, draft.id);
    expect(link.url).toBe(
      `https://news.example.org/preview/en/${draft.slug}?id=${draft.id}&token=${encodeURIComponent(link.token)}`,
    );
  });

  it('keeps the token out of the request log, and signs per article and key', async () => {
    const logs = new LogCapture();
    const { app, writer, draft } = await setUp({ logs });
    const link = await previewLink(app, writer, draft.id);
    await app.api.get(`/v1/preview/articles/${draft.id}?token=${link.token}`).expect(200);
    await app.api
      .get(`/v1/preview/articles/${draft.id}`)
      .set('Preview-Token', link.token)
      .expect(200);
    const signature = link.token.split('.')[1] ?? link.token;
    expect(logs.parsed().length).toBeGreaterThan(0);
    expect(logs.text).not.toContain(signature);

    expect(verifyPreviewToken(Buffer.alloc(32), draft.id, link.token, new Date())).toBe(false);
    const token = signPreviewToken(Buffer.alloc(32, 1), draft.id, new Date(Date.now() + 60_000));
    expect(verifyPreviewToken(Buffer.alloc(32, 1), draft.id, token, new Date())).toBe(true);
    expect(verifyPreviewToken(Buffer.alloc(32, 1), 'art_other', token, new Date())).toBe(false);
    expect(verifyPreviewToken(Buffer.alloc(32, 1), draft.id, 'not-a-token', new Date())).toBe(
      false,
    );
  });
});
