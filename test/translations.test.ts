import { afterEach, describe, expect, it } from 'vitest';
import { bearer, createTestApp, manualClock, receiver, type TestApp } from './helpers.ts';

// Linked language editions over HTTP: a draft copy per language in the story's group, one per
// language, links between existing articles, and `translations` on the public article showing
// only editions readers can see — a scheduled one as soon as it falls due, without a write.

let t: TestApp | undefined;
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await t?.close();
  t = undefined;
});

const site = 'https://news.example.org';
const hour = 3_600_000;

async function setUp() {
  const clock = manualClock(new Date('2026-11-28T09:00:00.000Z'));
  const app = await createTestApp({
    now: clock.now,
    config: { siteUrl: site, webhooksAllowPrivateTargets: true },
  });
  t = app;
  const editor = bearer(await app.token('editor'));
  const draft = async (body: Record<string, unknown>) =>
    (
      await app.api
        .post('/v1/admin/articles')
        .set(editor)
        .send({ body: 'Text of the story.', ...body })
        .expect(201)
    ).body.data as { id: string; slug: string; version: number; language: string };
  const publish = async (id: string, version: number, publishedAt?: string) =>
    (
      await app.api
        .post(`/v1/admin/articles/${id}/publish`)
        .set(editor)
        .set('If-Match', `"${version}"`)
        .send(publishedAt === undefined ? {} : { publishedAt })
        .expect(200)
    ).body.data as { id: string; slug: string; version: number };
  const translations = async (slug: string, language: string) =>
    (await app.api.get(`/v1/articles/${slug}?language=${language}`).expect(200)).body.data
      .translations as Array<{ language: string; slug: string; url: string }>;
  return { app, clock, editor, draft, publish, translations };
}

describe('language editions', () => {
  it('start as a draft copy in the group, one per language, and show once readers can see them', async () => {
    const { app, clock, editor, draft, publish, translations } = await setUp();
    const created = await draft({ headline: 'Moscow talks open', dek: 'Four ministers meet.' });
    const english = await publish(created.id, created.version);

    const copy = await app.api
      .post(`/v1/admin/articles/${english.id}/translations`)
      .set(editor)
      .send({ language: 'ru' })
      .expect(201);
    expect(copy.body.data).toMatchObject({
      language: 'ru',
      status: 'draft',
      // The same slug, free in the other language; the headline waits for its translator.
      slug: english.slug,
      headline: 'Moscow talks open',
      dek: 'Four ministers meet.',
    });
    expect(copy.headers.location).toBe(`/v1/admin/articles/${copy.body.data.id}`);
    const group = copy.body.data.translationGroupId as string;
    expect(group).toMatch(/^trg_/);
    const source = await app.api.get(`/v1/admin/articles/${english.id}`).set(editor).expect(200);
    expect(source.body.data.translationGroupId).toBe(group);
    expect(source.body.data.translations).toEqual([
      { id: copy.body.data.id, language: 'ru', slug: english.slug, status: 'draft' },
    ]);
    for (const language of ['ru', 'en'])
      await app.api
        .post(`/v1/admin/articles/${english.id}/translations`)
        .set(editor)
        .send({ language })
        .expect(409);

    // A draft edition is nobody's business yet.
    expect(await translations(english.slug, 'en')).toEqual([]);
    const russian = copy.body.data as { id: string; version: number };
    const edited = await app.api
      .patch(`/v1/admin/articles/${russian.id}`)
      .set(editor)
      .set('If-Match', `"${russian.version}"`)
      .send({ headline: 'В Москве начались переговоры', slug: 'peregovory-v-moskve' })
      .expect(200);
    await publish(russian.id, edited.body.data.version, '2026-11-28T10:00:00.000Z');
    expect(await translations(english.slug, 'en')).toEqual([]);
    await app.api.get('/v1/articles/peregovory-v-moskve?language=ru').expect(404);

    // Due: both sides list each other, with no write in between.
    clock.advance(hour + 1000);
    expect(await translations(english.slug, 'en')).toEqual([
      { language: 'ru', slug: 'peregovory-v-moskve', url: `${site}/ru/peregovory-v-moskve` },
    ]);
    expect(await translations('peregovory-v-moskve', 'ru')).toEqual([
      { language: 'en', slug: english.slug, url: `${site}/en/${english.slug}` },
    ]);
    // A language the story does not have is a 404, never another edition.
    await app.api.get(`/v1/articles/${english.slug}?language=de`).expect(404);
  });

  it('link existing articles, refuse a second edition of a language, follow renames, and unlink', async () => {
    const { app, editor, draft, publish, translations } = await setUp();
    const en = await draft({ headline: 'Talks in Moscow' });
    const english = await publish(en.id, en.version);
    const de = await draft({ headline: 'Gespräche in Moskau', language: 'de' });
    const german = await publish(de.id, de.version);
    const otherDe = await draft({ headline: 'Noch ein Artikel', language: 'de' });
    const hook = await receiver();
    closers.push(hook.close);
    await app.api
      .post('/v1/admin/webhooks')
      .set(editor)
      .send({ url: hook.url, events: ['article.*'] })
      .expect(201);
    /** The `article.updated` events delivered since the last call, as [id, url]. */
    const updates = async () => {
      await app.app.services.webhooks.relay.deliverDue();
      const events = hook.received
        .splice(0)
        .map(
          (message) =>
            JSON.parse(message.body) as { type: string; data: { id: string; url: string } },
        );
      return events
        .filter((event) => event.type === 'article.updated')
        .map((event) => [event.data.id, event.data.url])
        .sort();
    };

    const linked = await app.api
      .put(`/v1/admin/articles/${english.id}/translations/${german.id}`)
      .set(editor)
      .expect(200);
    expect(linked.body.data.translations).toEqual([
      { id: german.id, language: 'de', slug: german.slug, status: 'published' },
    ]);
    expect(await translations(english.slug, 'en')).toEqual([
      { language: 'de', slug: german.slug, url: `${site}/de/${german.slug}` },
    ]);
    // Both pages changed for readers: each is announced.
    expect(await updates()).toEqual(
      [
        [english.id, `${site}/en/${english.slug}`],
        [german.id, `${site}/de/${german.slug}`],
      ].sort(),
    );
    const taken = await app.api
      .put(`/v1/admin/articles/${english.id}/translations/${otherDe.id}`)
      .set(editor)
      .expect(409);
    expect(taken.body.detail).toMatch(/already has an edition in de/);
    const writer = bearer(await app.token('writer'));
    await app.api
      .put(`/v1/admin/articles/${english.id}/translations/${otherDe.id}`)
      .set(writer)
      .expect(403);

    // Another story's edition cannot join without leaving its own group.
    const fr = await draft({ headline: 'Autre histoire', language: 'fr' });
    const es = await draft({ headline: 'Otra historia', language: 'es' });
    await app.api.put(`/v1/admin/articles/${fr.id}/translations/${es.id}`).set(editor).expect(200);
    await app.api
      .put(`/v1/admin/articles/${english.id}/translations/${es.id}`)
      .set(editor)
      .expect(409);

    // The German edition moves: the English page shows its new address at once.
    const current = await app.api.get(`/v1/admin/articles/${german.id}`).set(editor).expect(200);
    await app.api
      .patch(`/v1/admin/articles/${german.id}`)
      .set(editor)
      .set('If-Match', `"${current.body.data.version}"`)
      .send({ slug: 'gespraeche-in-moskau' })
      .expect(200);
    expect(await translations(english.slug, 'en')).toEqual([
      { language: 'de', slug: 'gespraeche-in-moskau', url: `${site}/de/gespraeche-in-moskau` },
    ]);

    await updates();
    const unlinked = await app.api
      .delete(`/v1/admin/articles/${german.id}/translation-group`)
      .set(editor)
      .expect(200);
    expect(unlinked.body.data.translationGroupId).toBeNull();
    expect(await updates()).toEqual(
      [
        [english.id, `${site}/en/${english.slug}`],
        [german.id, `${site}/de/gespraeche-in-moskau`],
      ].sort(),
    );
    // Unlinking what is in no group changes nothing and announces nothing.
    await app.api
      .delete(`/v1/admin/articles/${german.id}/translation-group`)
      .set(editor)
      .expect(200);
    expect(await updates()).toEqual([]);
    expect(await translations(english.slug, 'en')).toEqual([]);
    expect(await translations('gespraeche-in-moskau', 'de')).toEqual([]);
  });
});
