import { count, eq, isNotNull } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import type { Config } from '../src/config.ts';
import {
  createTestApp,
  manualClock,
  publishArticleWith,
  type TestApp,
  testConfig,
} from './helpers.ts';

// The read-modify-writes that one SQLite writer makes safe by construction, run at once from two
// apps over one database (on PostgreSQL, two pools of connections): the next search row id and a
// free slug (article create), the version check (PATCH with If-Match), the unique slug (tag
// create) and the global hourly confirmation cap (signups). Every outcome must be the one some
// serial order of the same requests would give.

let t: TestApp | undefined;
let other: FastifyInstance | undefined;
afterEach(async () => {
  await other?.close();
  other = undefined;
  await t?.close();
  t = undefined;
});

const settings: Partial<Config> = {
  signupRateLimit: 100_000,
  signupsPerClientPerHour: 100_000,
  signupConfirmationsPerHour: 5,
  databasePoolSize: 8,
};

async function twoInstances(now?: () => Date) {
  t = await createTestApp({ config: settings, ...(now === undefined ? {} : { now }) });
  other = await buildApp({
    config: testConfig({ ...t.database.config, ...settings }),
    ...(now === undefined ? {} : { now }),
  });
  await other.ready();
  const token = await t.token('editor');
  const instances = [t.app, other];
  /** Sends request `i` through instance A or B in turn. */
  const send = (
    i: number,
    method: 'POST' | 'PATCH',
    url: string,
    payload: object,
    headers: Record<string, string> = {},
  ) =>
    (instances[i % 2] ?? t?.app)?.inject({
      method,
      url,
      payload,
      headers: { authorization: `Bearer ${token}`, ...headers },
    });
  return { send, token };
}

const statuses = (responses: Array<{ statusCode: number } | undefined>) =>
  responses.map((response) => response?.statusCode).sort();

describe('racing writers on two instances', () => {
  it('give every article created at once its own search row, and each headline its own slug', async () => {
    const { send } = await twoInstances();
    // Sixteen stories at once (the next search row id), four of them under one headline (a
    // free slug claimed by several at once).
    const headlines = Array.from({ length: 16 }, (_, i) =>
      i < 4 ? 'Harbour strike' : `Harbour strike, day ${i}`,
    );
    const created = await Promise.all(
      headlines.map((headline, i) =>
        send(i, 'POST', '/v1/admin/articles', { headline, body: `Take ${i}.` }),
      ),
    );
    expect(statuses(created)).toEqual(Array(16).fill(201));
    const slugs = created.map((response) => response?.json().data.slug as string);
    expect(new Set(slugs).size).toBe(16);
    expect(slugs.filter((slug) => /^harbour-strike(-\d+)?$/.test(slug))).toHaveLength(4);
    const store = t?.app.store;
    if (store === undefined) throw new Error('no app');
    const rows = await store.db
      .select({ searchRowId: store.tables.articles.searchRowId })
      .from(store.tables.articles);
    expect(new Set(rows.map((row) => row.searchRowId)).size).toBe(16);
  });

  it('let exactly one of several editors saving the same version win', async () => {
    const { send } = await twoInstances();
    const created = await send(0, 'POST', '/v1/admin/articles', {
      headline: 'Ferry fares',
      body: 'Text.',
    });
    const id = created?.json().data.id as string;
    const saved = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        send(
          i,
          'PATCH',
          `/v1/admin/articles/${id}`,
          { headline: `Ferry fares, take ${i}` },
          {
            'if-match': '"1"',
          },
        ),
      ),
    );
    expect(statuses(saved)).toEqual([200, ...Array<number>(9).fill(412)]);
    const winner = saved.find((response) => response?.statusCode === 200)?.json().data;
    expect(winner.version).toBe(2);
    // Every loser is told the version to reload: the winner's, not the one it had read.
    const losers = saved.filter((response) => response?.statusCode === 412);
    expect(losers.map((response) => response?.json().currentVersion)).toEqual(
      Array<number>(9).fill(2),
    );
    const reread = await t?.app.inject({
      url: `/v1/admin/articles/${id}`,
      headers: { authorization: `Bearer ${await t.token('editor')}` },
    });
    expect(reread?.json().data.headline).toBe(winner.headline);
  });

  it('keep an article’s document current when two of its authors are renamed at once', async () => {
    const { send, token } = await twoInstances();
    const author = async (name: string) =>
      (await send(0, 'POST', '/v1/admin/authors', { name }))?.json().data.id as string;
    const [first, second] = [await author('Ada Quay'), await author('Noor Field')];
    if (t === undefined) throw new Error('no app');
    const article = await publishArticleWith(t, token, { authorIds: [first, second] });
    for (let round = 1; round <= 5; round += 1) {
      const renamed = await Promise.all([
        send(0, 'PATCH', `/v1/admin/authors/${first}`, { name: `Ada Quay ${round}` }),
        send(1, 'PATCH', `/v1/admin/authors/${second}`, { name: `Noor Field ${round}` }),
      ]);
      expect(statuses(renamed)).toEqual([200, 200]);
    }
    const { articleDocuments } = t.app.store.tables;
    const [stored] = await t.app.store.db
      .select({ body: articleDocuments.body })
      .from(articleDocuments)
      .where(eq(articleDocuments.articleId, article.id));
    const shown = JSON.parse(stored?.body ?? '{}').data.authors.map(
      (each: { name: string }) => each.name,
    );
    expect(shown).toEqual(['Ada Quay 5', 'Noor Field 5']);
  });

  it('give a slug claimed at once to exactly one tag', async () => {
    const { send } = await twoInstances();
    const created = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        send(i, 'POST', '/v1/admin/tags', { name: `Docks ${i}`, slug: 'docks' }),
      ),
    );
    expect(statuses(created)).toEqual([201, ...Array<number>(9).fill(409)]);
  });

  it('hold the global hourly confirmation cap under a burst of signups', async () => {
    const clock = manualClock();
    await twoInstances(clock.now);
    await t?.app.services.newsletters.create({
      name: 'Weekly',
      slug: 'weekly',
      cadence: 'weekly',
      privacyPolicyVersion: 'p@1',
    });
    const instances = [t?.app, other];
    const answers = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        instances[i % 2]?.inject({
          method: 'POST',
          url: '/v1/newsletters/weekly/signups',
          payload: { email: `reader${i}@example.org`, consent: true, privacyPolicyVersion: 'p@1' },
        }),
      ),
    );
    expect(statuses(answers)).toEqual(Array(16).fill(202));
    const store = t?.app.store;
    if (store === undefined) throw new Error('no app');
    const { newsletterSignups } = store.tables;
    const [mailed] = await store.db
      .select({ n: count() })
      .from(newsletterSignups)
      .where(isNotNull(newsletterSignups.lastConfirmationSentAt));
    expect(mailed?.n).toBe(5);
  });
});
