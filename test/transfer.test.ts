import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import {
  bearer,
  freshDatabase,
  manualClock,
  publishArticleWith,
  samplePhoto,
  type TestDatabase,
  tempDir,
  testConfig,
} from './helpers.ts';

// `cms export` and `cms import` move a newsroom between databases, and between backends: from a
// SQLite file into the backend under test (PostgreSQL in `npm run test:pg`) and back into a new
// SQLite file. Readers and editors must not be able to tell the copies from the original.

const temp = tempDir('broadsheet-transfer-');
const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const database of databases) await database.remove();
  temp.remove();
});

const sqliteFile = (name: string): TestDatabase => {
  const path = join(temp.dir, `${name}.db`);
  return {
    config: { databaseUrl: undefined, databasePath: path },
    env: { DATABASE_PATH: path },
    remove: async () => undefined,
  };
};

function cms(database: TestDatabase, ...args: string[]) {
  const { DATABASE_URL: _url, DATABASE_PATH: _path, ...env } = process.env;
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    encoding: 'utf8',
    env: { ...env, ...database.env, LOG_LEVEL: 'warn' },
  });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout;
}

const clock = manualClock(new Date('2026-11-30T08:00:00.000Z'));

/** What readers and editors see of a newsroom: bodies and validators of a set of requests. */
async function observe(database: TestDatabase, token: string) {
  const app = await buildApp({ config: testConfig(database.config), now: clock.now });
  await app.ready();
  const seen: Record<string, { status: number; etag: unknown; body: string }> = {};
  for (const url of [
    '/v1/articles',
    '/v1/articles/harbour-cranes-return',
    '/v1/articles?q=cranes',
    '/v1/articles?q=harbour*&tag=harbours',
    '/v1/tags',
    '/v1/authors/ada-quay',
    '/v1/pages/privacy-policy',
    '/v1/newsletters',
    '/v1/admin/articles?limit=50',
    '/v1/admin/newsletters/weekly/signups',
    '/v1/admin/tokens',
  ]) {
    const response = await app.inject({ url, headers: bearer(token) });
    seen[url] = { status: response.statusCode, etag: response.headers.etag, body: response.body };
  }
  await app.close();
  return seen;
}

describe('cms export and import', () => {
  it('carry a newsroom from SQLite to the backend under test and back, unchanged', async () => {
    const original = sqliteFile('original');
    const token = /\b(bs_[A-Za-z0-9_-]{43})\b/.exec(
      cms(original, 'tokens', 'create', '--role', 'admin', '--name', 'Desk'),
    )?.[1];
    if (token === undefined) throw new Error('no token');

    const app = await buildApp({ config: testConfig(original.config), now: clock.now });
    await app.ready();
    const t = { api: (await import('supertest')).default(app.server) };
    const as = bearer(token);
    const tag = (await t.api.post('/v1/admin/tags').set(as).send({ name: 'Harbours' })).body.data;
    const photo = (await t.api.post('/v1/admin/photos').set(as).send(samplePhoto)).body.data;
    const author = (
      await t.api.post('/v1/admin/authors').set(as).send({ name: 'Ada Quay', photoId: photo.id })
    ).body.data;
    await publishArticleWith(t, token, {
      headline: 'Harbour cranes return',
      tagIds: [tag.id],
      authorIds: [author.id],
    });
    await t.api.post('/v1/admin/articles').set(as).send({ headline: 'A draft', body: 'Not yet.' });
    await t.api
      .post('/v1/admin/pages')
      .set(as)
      .send({
        title: 'Privacy policy',
        slug: 'privacy-policy',
        body: 'We keep little.',
        status: 'published',
      })
      .expect(201);
    await app.services.newsletters.create({
      name: 'Weekly',
      slug: 'weekly',
      cadence: 'weekly',
      privacyPolicyVersion: 'p@1',
    });
    await t.api
      .post('/v1/newsletters/weekly/signups')
      .send({ email: 'reader@example.org', consent: true, privacyPolicyVersion: 'p@1' })
      .expect(202);
    await app.close();
    const before = await observe(original, token);
    expect(before['/v1/articles/harbour-cranes-return']?.status).toBe(200);
    expect(JSON.parse(before['/v1/articles?q=cranes']?.body ?? '{}').data).toHaveLength(1);

    // SQLite → the backend under test.
    const exported = join(temp.dir, 'newsroom.ndjson');
    expect(cms(original, 'export', exported)).toMatch(/^Exported .*\b2 articles\b/);
    const header = JSON.parse(readFileSync(exported, 'utf8').split('\n')[0] ?? '{}');
    expect(header).toMatchObject({ format: 'broadsheet-export', version: 1, backend: 'sqlite' });
    const copy = await freshDatabase();
    databases.push(copy);
    expect(cms(copy, 'import', exported)).toMatch(/rendered 1 article documents/);
    expect(await observe(copy, token)).toEqual(before);

    // A second import into the same database is refused, and changes nothing.
    const { DATABASE_URL: _url, DATABASE_PATH: _path, ...env } = process.env;
    const again = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', 'import', exported],
      {
        encoding: 'utf8',
        env: { ...env, ...copy.env, LOG_LEVEL: 'warn' },
      },
    );
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('not empty');

    // …and back into a new SQLite file.
    const back = join(temp.dir, 'back.ndjson');
    cms(copy, 'export', back);
    const returned = sqliteFile('returned');
    cms(returned, 'import', back);
    expect(await observe(returned, token)).toEqual(before);

    // The copy goes on where the original stopped: new articles get new search rows.
    const copyApp = await buildApp({ config: testConfig(copy.config), now: clock.now });
    await copyApp.ready();
    const next = await copyApp.inject({
      method: 'POST',
      url: '/v1/admin/articles',
      headers: as,
      payload: { headline: 'Cranes idle again', body: 'Text.' },
    });
    expect(next.statusCode).toBe(201);
    const found = await copyApp.inject({ url: '/v1/admin/articles?q=cranes', headers: as });
    expect(found.json().data).toHaveLength(2);
    await copyApp.close();
  }, 120_000);
});
