import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../src/seed.ts';
import { createTestApp, type TestApp } from './helpers.ts';

// The demo newsroom must let a frontend render every part of the reference article page from
// public GETs alone. (The one test file that relies on the demo content, on purpose.)

let t: TestApp;
const lead = 'moscow-talks-put-syria-and-turkey-on-the-road-to-reconciliation';

beforeAll(async () => {
  t = await createTestApp();
  await seedDemo(t.app);
});
afterAll(async () => t.close());

describe('the reference page, from public GETs only', () => {
  it('headline, lead photo with caption and credit, body with quotes and structure, tags', async () => {
    const { data } = (await t.api.get(`/v1/articles/${lead}`).expect(200)).body;
    expect(data.headline).toMatch(/Syria and Turkey/);
    expect(data.photo.caption).toMatch(
      /Left to right: Hossein Amir-Abdollahian.*Sergei Lavrov.*Faisal Mekdad.*Mevlut Cavusoglu/,
    );
    expect(data.photo.credit).toEqual({
      photographer: 'Valery Sharifulin',
      agency: 'TASS',
      line: 'Valery Sharifulin / TASS',
      source: 'editor',
    });
    expect(data.photo.altText.length).toBeGreaterThan(10);
    // The Russian edition is linked, and search and social cards get their own wording.
    expect(data.translations).toEqual([
      expect.objectContaining({
        language: 'ru',
        slug: 'moskva-gotovit-dorozhnuyu-kartu-dlya-sirii-i-turtsii',
      }),
    ]);
    expect(data.seo.title).not.toBe(data.headline);
    expect(data.social.photo.credit.line).toBe('Valery Sharifulin / TASS');
    expect(data.bodyHtml).toContain('<h2>');
    expect((data.bodyHtml as string).match(/<p>/g)?.length).toBeGreaterThan(8);
    expect((data.tags as Array<{ name: string }>).map((tag) => tag.name)).toEqual([
      'Russia',
      'Syria',
      'Turkey',
      'Iran',
    ]);
    expect(data.authors).toEqual([expect.objectContaining({ name: 'Mira Castellanos' })]);
  });

  it('"Read more" and search', async () => {
    const related = (await t.api.get(`/v1/articles/${lead}/related`).expect(200)).body
      .data as Array<{ language: string }>;
    expect(related).toHaveLength(3);
    expect(related.every((article) => article.language === 'en')).toBe(true);
    const found = (await t.api.get('/v1/articles?q=roadmap').expect(200)).body.data as Array<{
      slug: string;
    }>;
    expect(found.map((article) => article.slug)).toContain(lead);
    const drafts = (await t.api.get('/v1/articles?limit=100').expect(200)).body.data as Array<{
      slug: string;
    }>;
    expect(drafts.map((article) => article.slug)).not.toContain(
      'what-a-syria-turkey-roadmap-could-contain',
    );
  });

  it('the newsletter box: weekly on Fridays, preview, and the privacy policy it asks readers to accept', async () => {
    const [newsletter] = (await t.api.get('/v1/newsletters').expect(200)).body.data;
    expect(newsletter).toMatchObject({
      cadence: 'weekly',
      sendDay: 'friday',
      previewUrl: expect.stringMatching(/^https:/),
    });
    const policy = await t.api.get(newsletter.privacyPolicy.url).expect(200);
    expect(policy.body.data.title).toBe('Privacy Policy');
    await t.api
      .post(`/v1/newsletters/${newsletter.slug}/signups`)
      .send({
        email: 'demo.reader@example.org',
        consent: true,
        privacyPolicyVersion: newsletter.privacyPolicyVersion,
      })
      .expect(202);
  });

  it('the support appeal: once, monthly or annual, from $2, continue or remind me later; and the top banner', async () => {
    const { data } = (await t.api.get('/v1/appeals/active?placement=article-footer').expect(200))
      .body;
    expect(
      (data.frequencies as Array<{ frequency: string }>).map((option) => option.frequency),
    ).toEqual(['once', 'monthly', 'annual']);
    expect(data.frequencies[1]).toMatchObject({ currency: 'USD', minimumAmount: 200 });
    expect(data).toMatchObject({
      ctaLabel: 'Continue',
      dismissLabel: 'Remind me later',
      remindAfterDays: 7,
    });
    expect(data.paymentMethods.length).toBeGreaterThan(2);
    await t.api.get('/v1/appeals/active?placement=top-banner').expect(200);
  });
});

describe('demo content', () => {
  it('loads idempotently', async () => {
    const before = await t.app.store.db.$count(t.app.store.tables.articles);
    const report = await seedDemo(t.app);
    expect(report.created).toBe(0);
    expect(await t.app.store.db.$count(t.app.store.tables.articles)).toBe(before);
  });

  // The reference page is a real publication's article: the demo reuses its facts, not its words.
  const reference = '../shared/reference-page.txt';
  it.skipIf(!existsSync(reference))('copies no run of six words from the reference page', () => {
    const words = (text: string) => text.toLowerCase().match(/[a-z0-9']+/g) ?? [];
    const grams = (list: string[]) =>
      new Set(list.slice(0, -5).map((_, i) => list.slice(i, i + 6).join(' ')));
    const referenceGrams = grams(words(readFileSync(reference, 'utf8')));
    const copied = [...grams(words(readFileSync('seeds/demo.json', 'utf8')))].filter((gram) =>
      referenceGrams.has(gram),
    );
    expect(copied).toEqual([]);
  });
});
