import Validator from '@adobe/structured-data-validator';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { bearer, createTestApp, type TestApp } from './helpers.ts';

// NewsArticle JSON-LD over HTTP, checked by Adobe's structured-data validator (Google's rules for
// the ImageObject, Person and Organization it embeds; run without the schema.org vocabulary,
// which it would fetch from the internet) and by a zod schema of what Google's Article rich
// results require and recommend.

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const site = 'https://news.example.org';
const offsetDate = z.string().regex(/T\d{2}:\d{2}:\d{2}(?:\.\d+)?[+-]\d{2}:\d{2}$/);

/** Google's Article structured data: the properties it reads, as its documentation lists them. */
const googleArticle = z.object({
  '@context': z.literal('https://schema.org'),
  '@type': z.enum(['Article', 'NewsArticle', 'BlogPosting']),
  headline: z.string().min(1),
  image: z
    .array(z.object({ '@type': z.literal('ImageObject'), url: z.url() }).passthrough())
    .min(1),
  datePublished: offsetDate,
  dateModified: offsetDate,
  author: z
    .array(
      z.object({
        '@type': z.enum(['Person', 'Organization']),
        name: z.string().min(1),
        url: z.url(),
      }),
    )
    .min(1),
  publisher: z.object({ name: z.string().min(1), url: z.url() }).passthrough(),
});

describe('NewsArticle JSON-LD', () => {
  it('describes the article as Google reads it, with the photo credit, and passes the validators', async () => {
    t = await createTestApp({
      config: { siteUrl: site, newsPublicationName: 'The Example Times' },
    });
    const as = bearer(await t.token('editor'));
    const author = await t.api
      .post('/v1/admin/authors')
      .set(as)
      .send({ name: 'Anna Petrova' })
      .expect(201);
    const tag = await t.api.post('/v1/admin/tags').set(as).send({ name: 'Diplomacy' }).expect(201);
    const photo = await t.api
      .post('/v1/admin/photos')
      .set(as)
      .send({
        url: 'https://cdn.example.org/ministers.jpg',
        altText: 'Ministers at a table',
        caption: 'The ministers before the talks.',
        credit: { photographer: 'Valery Sharifulin', agency: 'TASS' },
        width: 1920,
        height: 1280,
      })
      .expect(201);
    const created = await t.api
      .post('/v1/admin/articles')
      .set(as)
      .send({
        headline: 'Ministers agree a roadmap',
        dek: 'Talks in Moscow end with a plan.',
        body: 'The talks lasted four hours.',
        authorIds: [author.body.data.id],
        tagIds: [tag.body.data.id],
        photoId: photo.body.data.id,
      })
      .expect(201);
    const draftAnswer = await t.api.get(`/v1/articles/${created.body.data.slug}/jsonld`);
    expect(draftAnswer.status).toBe(404);
    const published = await t.api
      .post(`/v1/admin/articles/${created.body.data.id}/publish`)
      .set(as)
      .set('If-Match', '"1"')
      .send({})
      .expect(200);
    const { slug } = published.body.data as { slug: string };

    const response = await t.api.get(`/v1/articles/${slug}/jsonld`).expect(200);
    expect(response.headers['content-type']).toBe('application/ld+json; charset=utf-8');
    const jsonld = JSON.parse(response.text) as Record<string, unknown>;
    expect(googleArticle.safeParse(jsonld).error?.issues ?? []).toEqual([]);
    expect(jsonld).toMatchObject({
      '@type': 'NewsArticle',
      url: `${site}/en/${slug}`,
      headline: 'Ministers agree a roadmap',
      description: 'Talks in Moscow end with a plan.',
      inLanguage: 'en',
      author: [{ '@type': 'Person', name: 'Anna Petrova', url: `${site}/authors/anna-petrova` }],
      publisher: { '@type': 'NewsMediaOrganization', name: 'The Example Times', url: site },
      image: [
        {
          '@type': 'ImageObject',
          url: 'https://cdn.example.org/ministers.jpg',
          creditText: 'Valery Sharifulin / TASS',
          copyrightNotice: 'Valery Sharifulin / TASS',
          creator: { '@type': 'Person', name: 'Valery Sharifulin' },
          caption: 'The ministers before the talks.',
        },
      ],
      articleSection: 'Diplomacy',
      isAccessibleForFree: true,
    });

    const issues = await new Validator(undefined).validate({
      jsonld: { NewsArticle: [structuredClone(jsonld)] },
      microdata: {},
      rdfa: {},
    });
    expect(issues.filter((issue) => issue.severity === 'ERROR')).toEqual([]);

    // The same JSON-LD alongside the article, with an ETag of its own.
    const plain = await t.api.get(`/v1/articles/${slug}`).expect(200);
    const included = await t.api.get(`/v1/articles/${slug}?include=structuredData`).expect(200);
    expect(included.body.data).toEqual(plain.body.data);
    expect(included.body.structuredData).toEqual(jsonld);
    expect(included.headers.etag).not.toBe(plain.headers.etag);
    expect(plain.body.structuredData).toBeUndefined();
    await t.api.get(`/v1/articles/${slug}?include=everything`).expect(400);

    // A photo's credit edit reaches the cached JSON-LD at once.
    expect((await t.api.get(`/v1/articles/${slug}/jsonld`).expect(200)).headers['x-cache']).toBe(
      'hit',
    );
    await t.api
      .patch(`/v1/admin/photos/${photo.body.data.id}`)
      .set(as)
      .send({ credit: { agency: 'Reuters' } })
      .expect(200);
    const edited = await t.api.get(`/v1/articles/${slug}/jsonld`).expect(200);
    expect(JSON.parse(edited.text).image[0]).toMatchObject({
      creditText: 'Reuters',
      creator: { '@type': 'Organization', name: 'Reuters' },
    });
  });
});
