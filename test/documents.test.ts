import { count, eq, ne } from 'drizzle-orm';
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import {
  bearer,
  createTestApp,
  LogCapture,
  publishArticleWith,
  samplePhoto,
  type TestApp,
  testConfig,
} from './helpers.ts';

// Published articles' public JSON is rendered at write time (article_documents). These tests
// hold the stored documents to what a render from scratch gives after every kind of change, and
// check that start-up and the CLI bring missing or outdated documents back.

let t: TestApp;
afterEach(async () => t.close());

/** Everything a reader's request shows of an article and the lists carrying it. */
async function publicView(api: TestApp['api'], slugs: string[]) {
  const view: Record<string, unknown> = {};
  for (const slug of slugs) {
    const single = await api.get(`/v1/articles/${slug}`);
    view[slug] = {
      status: single.status,
      // A 404 names its request; only an article's own body is compared.
      body: single.status === 200 ? single.text : undefined,
      etag: single.headers.etag,
      keys: single.headers['surrogate-key'],
    };
  }
  for (const url of ['/v1/articles?limit=50', '/v1/articles?limit=2', '/v1/articles?q=harbour']) {
    const list = await api.get(url).expect(200);
    view[url] = { body: list.text, etag: list.headers.etag, keys: list.headers['surrogate-key'] };
  }
  return view;
}

async function storedDocuments(app: TestApp['app']) {
  const { articleDocuments } = app.store.tables;
  const [row] = await app.store.db.select({ n: count() }).from(articleDocuments);
  return row?.n ?? 0;
}

describe('article documents', () => {
  it('stay exactly what a render from scratch gives, through every kind of change', async () => {
    // Without the response cache every read comes from the stored documents.
    t = await createTestApp({ config: { responseCacheMaxEntries: 0 } });
    const editor = await t.token('editor');
    const as = bearer(editor);
    const photo = (await t.api.post('/v1/admin/photos').set(as).send(samplePhoto).expect(201)).body
      .data;
    const author = (
      await t.api.post('/v1/admin/authors').set(as).send({ name: 'Ada Harbour' }).expect(201)
    ).body.data;
    const tag = (await t.api.post('/v1/admin/tags').set(as).send({ name: 'Ports' }).expect(201))
      .body.data;
    const first = await publishArticleWith(t, editor, {
      headline: 'Harbour cranes return',
      authorIds: [author.id],
      tagIds: [tag.id],
    });
    await t.api
      .patch(`/v1/admin/articles/${first.id}`)
      .set(as)
      .set('If-Match', '"2"')
      .send({ photoId: photo.id })
      .expect(200);
    const second = await publishArticleWith(t, editor, {
      headline: 'Harbour tolls rise',
      tagIds: [tag.id],
    });
    const third = await publishArticleWith(t, editor, { headline: 'Harbour strike ends' });
    const draft = (
      await t.api
        .post('/v1/admin/articles')
        .set(as)
        .send({ headline: 'Harbour draft', body: 'Not yet.', authorIds: [author.id] })
        .expect(201)
    ).body.data;
    const slugs = [first.slug, second.slug, third.slug, draft.slug];

    // After each change, what readers get must already be what a render from scratch gives.
    const renderedFromScratch = async (change: string) => {
      const shown = await publicView(t.api, slugs);
      await t.app.services.documents.rebuild({ everyOne: true });
      expect(await publicView(t.api, slugs), change).toEqual(shown);
    };
    await t.api.patch(`/v1/admin/authors/${author.id}`).set(as).send({ name: 'Ada Quay' });
    await renderedFromScratch('author renamed');
    await t.api.patch(`/v1/admin/tags/${tag.id}`).set(as).send({ slug: 'harbours' });
    await renderedFromScratch('tag slug changed');
    await t.api
      .patch(`/v1/admin/photos/${photo.id}`)
      .set(as)
      .send({ credit: { photographer: 'Noor Field' } })
      .expect(200);
    await renderedFromScratch('photo credit changed');
    await t.api
      .patch(`/v1/admin/articles/${second.id}`)
      .set(as)
      .set('If-Match', '"2"')
      .send({ headline: 'Harbour tolls rise again', body: 'More *text*.' })
      .expect(200);
    await renderedFromScratch('article edited');
    await t.api
      .post(`/v1/admin/articles/${third.id}/unpublish`)
      .set(as)
      .set('If-Match', '"2"')
      .send({})
      .expect(200);
    await renderedFromScratch('article unpublished');

    const shown = await publicView(t.api, slugs);
    const firstSingle = JSON.parse((shown[first.slug] as { body: string }).body).data;
    expect(firstSingle.authors).toEqual([{ id: author.id, slug: author.slug, name: 'Ada Quay' }]);
    expect(firstSingle.tags[0].slug).toBe('harbours');
    expect(firstSingle.photo.credit.line).toBe('Noor Field');
    expect((shown[third.slug] as { status: number }).status).toBe(404);
    expect((shown[draft.slug] as { status: number }).status).toBe(404);
    const list = JSON.parse((shown['/v1/articles?limit=50'] as { body: string }).body).data;
    expect(list.map((item: { headline: string }) => item.headline)).toEqual([
      'Harbour tolls rise again',
      'Harbour cranes return',
    ]);
    expect(list[1].authors[0].name).toBe('Ada Quay');
    // Drafts and unpublished articles have no document.
    expect(await storedDocuments(t.app)).toBe(2);
  });

  it('are rendered at start-up when missing or of another format, and by the CLI', async () => {
    t = await createTestApp();
    const editor = await t.token('editor');
    const published = await publishArticleWith(t, editor, { headline: 'Rendered again' });
    await publishArticleWith(t, editor, { headline: 'Rendered once more' });
    const before = await t.api.get(`/v1/articles/${published.slug}`).expect(200);
    const { articleDocuments } = t.app.store.tables;
    const documentFormat = t.app.services.documents.format;
    // As an upgrade leaves them: one document gone, the other from an older renderer.
    await t.app.store.write(async (tx) => {
      await tx.delete(articleDocuments).where(eq(articleDocuments.articleId, published.id));
      await tx.update(articleDocuments).set({ format: documentFormat - 1, body: '{}' });
    });
    await t.app.close();

    const logs = new LogCapture();
    const reopened = await buildApp({
      config: testConfig({ ...t.database.config, logLevel: 'info' }),
      logDestination: logs,
    });
    await reopened.ready();
    const { articleDocuments: documents } = reopened.store.tables;
    const outdated = await reopened.store.db
      .select({ n: count() })
      .from(documents)
      .where(ne(documents.format, documentFormat));
    expect(outdated[0]?.n).toBe(0);
    expect(logs.parsed().some((line) => line.msg === 'article documents rendered')).toBe(true);
    const again = await reopened.inject(`/v1/articles/${published.slug}`);
    expect(again.body).toBe(before.text);
    expect(again.headers.etag).toBe(before.headers.etag);
    await reopened.close();

    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', 'rebuild-documents'],
      {
        encoding: 'utf8',
        env: { ...process.env, ...t.database.env, LOG_LEVEL: 'warn' },
      },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain('Rendered 2/2 article documents');
    expect(run.stdout).toMatch(/^Rendered 2 article documents in /);
    // `t.close()` closes the first app again (a no-op) and removes the directory.
  });

  it('carry the frontend address, and are rendered again at start-up when its settings change', async () => {
    t = await createTestApp({ config: { siteUrl: 'https://old.example.org' } });
    const editor = await t.token('editor');
    const published = await publishArticleWith(t, editor, { headline: 'Moving house' });
    const before = await t.api.get(`/v1/articles/${published.slug}`).expect(200);
    expect(before.body.data.url).toBe(`https://old.example.org/en/${published.slug}`);
    const listed = await t.api.get('/v1/articles').expect(200);
    expect(listed.body.data[0].url).toBe(before.body.data.url);
    await t.app.close();

    const reopened = await buildApp({
      config: testConfig({
        ...t.database.config,
        siteUrl: 'https://www.example.org',
        articleUrlTemplate: '{site}/{yyyy}/{mm}/{slug}',
      }),
    });
    await reopened.ready();
    const moved = JSON.parse((await reopened.inject(`/v1/articles/${published.slug}`)).body);
    const day = new Date(String(moved.data.publishedAt));
    const month = String(day.getUTCMonth() + 1).padStart(2, '0');
    expect(moved.data.url).toBe(
      `https://www.example.org/${day.getUTCFullYear()}/${month}/${published.slug}`,
    );
    await reopened.close();
  });
});
