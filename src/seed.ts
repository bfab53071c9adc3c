import type { FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { createArticleBody } from './modules/articles/articles.schemas.ts';
import { createAuthorBody } from './modules/authors/authors.schemas.ts';
import { createPhotoBody } from './modules/photos/photos.schemas.ts';
import { createAppealBody } from './modules/appeals/appeals.schemas.ts';
import { createPageBody } from './modules/pages/pages.schemas.ts';
import { createNewsletterBody } from './modules/newsletters/newsletters.schemas.ts';
import { createTagBody } from './modules/tags/tags.schemas.ts';
import { createCollectionBody } from './modules/collections/collections.schemas.ts';

// The demo newsroom from seeds/, loaded through the same validation and services as the API.
// Idempotent: rows are matched on their natural keys (slug, photo URL) and never duplicated.

const demoFile = fileURLToPath(new URL('../seeds/demo.json', import.meta.url));

const demoSchema = z.strictObject({
  photos: z.array(createPhotoBody),
  authors: z.array(
    createAuthorBody
      .omit({ photoId: true })
      .extend({ slug: createAuthorBody.shape.slug.unwrap(), photoUrl: z.string().optional() }),
  ),
  tags: z.array(createTagBody.extend({ slug: createTagBody.shape.slug.unwrap() })),
  pages: z.array(createPageBody.extend({ slug: createPageBody.shape.slug.unwrap() })),
  appeals: z.array(createAppealBody),
  newsletters: z.array(
    createNewsletterBody.extend({ slug: createNewsletterBody.shape.slug.unwrap() }),
  ),
  articles: z.array(
    createArticleBody.omit({ authorIds: true, tagIds: true, photoId: true }).extend({
      slug: createArticleBody.shape.slug.unwrap(),
      authorSlugs: z.array(z.string()),
      tagSlugs: z.array(z.string()),
      photoUrl: z.string().optional(),
      // Absent: the article stays a draft.
      publishedAt: z.iso.datetime().optional(),
      // The English article this one is an edition of (its slug).
      translationOf: z.string().optional(),
    }),
  ),
  // Fronts and sections, naming articles and tags by slug (checked by createCollectionBody).
  collections: z.array(
    z.strictObject({
      slug: z.string(),
      name: z.string(),
      language: z.string(),
      size: z.number().optional(),
      pins: z.array(
        z.strictObject({
          slug: z.string(),
          language: z.string().optional(),
          headline: z.string().optional(),
        }),
      ),
      backfill: z
        .strictObject({
          tagSlugs: z.array(z.string()).optional(),
          language: z.string().optional(),
        })
        .optional(),
    }),
  ),
});

/** Seeding acts as the system, not as any token. */
const system = { tokenId: 'system:seed', name: 'seed', role: 'admin' as const };

export interface SeedReport {
  created: number;
  skipped: number;
}

export async function seedDemo(app: FastifyInstance): Promise<SeedReport> {
  const demo = demoSchema.parse(JSON.parse(readFileSync(demoFile, 'utf8')));
  const { photos, authors, tags, articles, newsletters, pages, appeals, collections } =
    app.services;
  const report: SeedReport = { created: 0, skipped: 0 };
  const count = (created: boolean) => {
    if (created) report.created += 1;
    else report.skipped += 1;
  };

  const photoIdByUrl = new Map<string, string>();
  for (const input of demo.photos) {
    const existing = await photos.findByUrl(input.url);
    const photo = existing ?? (await photos.create(input));
    photoIdByUrl.set(photo.url, photo.id);
    count(existing === undefined);
  }
  for (const { photoUrl, ...input } of demo.authors) {
    const exists = (await authors.findBySlug(input.slug)) !== undefined;
    if (!exists) {
      const photoId = photoUrl === undefined ? undefined : photoIdByUrl.get(photoUrl);
      await authors.create({ ...input, ...(photoId === undefined ? {} : { photoId }) });
    }
    count(!exists);
  }
  /** Creates each input that `exists` does not find. */
  async function createMissing<T>(
    inputs: T[],
    exists: (input: T) => Promise<unknown>,
    create: (input: T) => Promise<unknown>,
  ): Promise<void> {
    for (const input of inputs) {
      const found = (await exists(input)) !== undefined;
      if (!found) await create(input);
      count(!found);
    }
  }
  await createMissing(demo.tags, (input) => tags.findBySlug(input.slug), tags.create);
  // Pages first: the newsletter's privacyPolicyVersion points at one.
  await createMissing(demo.pages, (input) => pages.findBySlug(input.slug), pages.create);
  const existingAppeals = (await appeals.list({ limit: 1000, after: null })).items;
  await createMissing(
    demo.appeals,
    async (input) => existingAppeals.find((appeal) => appeal.name === input.name),
    appeals.create,
  );
  await createMissing(
    demo.newsletters,
    (input) => newsletters.findBySlug(input.slug),
    newsletters.create,
  );
  for (const {
    authorSlugs,
    tagSlugs,
    photoUrl,
    publishedAt,
    translationOf: _translationOf,
    ...input
  } of demo.articles) {
    const exists = (await articles.findIdBySlug(input.language ?? 'en', input.slug)) !== undefined;
    count(!exists);
    if (exists) continue;
    const idsOf = async <T extends { id: string }>(
      slugs: string[],
      find: (slug: string) => Promise<T | undefined>,
    ) =>
      (await Promise.all(slugs.map(find))).flatMap((found) =>
        found === undefined ? [] : [found.id],
      );
    const photoId = photoUrl === undefined ? undefined : photoIdByUrl.get(photoUrl);
    const article = await articles.create({
      ...input,
      authorIds: await idsOf(authorSlugs, (slug) => authors.findBySlug(slug)),
      tagIds: await idsOf(tagSlugs, (slug) => tags.findBySlug(slug)),
      ...(photoId === undefined ? {} : { photoId }),
    });
    if (publishedAt !== undefined) {
      await articles.publish(
        { id: article.id, expected: { versions: [article.version] }, principal: system },
        new Date(publishedAt),
      );
    }
  }
  // Editions are linked once both exist; linking again changes nothing.
  for (const { slug, language, translationOf } of demo.articles) {
    if (translationOf === undefined) continue;
    const [original, edition] = await Promise.all([
      articles.findIdBySlug('en', translationOf),
      articles.findIdBySlug(language ?? 'en', slug),
    ]);
    if (original !== undefined && edition !== undefined)
      await articles.editions.link(original, edition);
  }
  // Fronts last: they pin articles and backfill by tags.
  for (const { pins, backfill, ...collection } of demo.collections) {
    const exists = (await collections.findBySlug(collection.slug)) !== undefined;
    count(!exists);
    if (exists) continue;
    const items = [];
    for (const pin of pins) {
      const articleId = await articles.findIdBySlug(pin.language ?? 'en', pin.slug);
      if (articleId !== undefined)
        items.push({
          articleId,
          ...(pin.headline === undefined ? {} : { headline: pin.headline }),
        });
    }
    const tagIds = [];
    for (const slug of backfill?.tagSlugs ?? []) {
      const tag = await tags.findBySlug(slug);
      if (tag !== undefined) tagIds.push(tag.id);
    }
    await collections.create(
      createCollectionBody.parse({
        ...collection,
        items,
        ...(backfill === undefined
          ? {}
          : {
              backfill: {
                tagIds,
                ...(backfill.language === undefined ? {} : { language: backfill.language }),
              },
            }),
      }),
    );
  }
  return report;
}

/** For `npm start`: seeds only a database with no content at all, so it never mixes with real data. */
export async function seedDemoIfEmpty(app: FastifyInstance): Promise<boolean> {
  const { store } = app;
  const counts = await Promise.all(
    [store.tables.authors, store.tables.tags, store.tables.photos, store.tables.articles].map(
      (table) => store.db.$count(table),
    ),
  );
  if (counts.some((count) => count > 0)) return false;
  await seedDemo(app);
  return true;
}
