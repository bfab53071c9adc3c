import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import supertest from 'supertest';
import { buildApp } from '../src/app.ts';
import { type Config, loadConfig } from '../src/config.ts';
import type { Role } from '../src/plugins/auth.ts';
import { openPostgresStore } from '../src/db/postgres.ts';
import { openSqliteStore } from '../src/db/sqlite.ts';
import type { Store } from '../src/db/store.ts';
import { adminQuery, databaseUrl } from './postgres/cluster.ts';

export function tempDir(prefix = 'broadsheet-test-'): { dir: string; remove: () => void } {
  // Under the run's own directory when Vitest made one (test/temp-root.ts).
  const dir = mkdtempSync(join(process.env.BROADSHEET_TEST_TMP ?? tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function testConfig(overrides: Partial<Config> = {}, databasePath?: string): Config {
  return {
    ...loadConfig({}),
    logLevel: 'silent',
    seedDemo: false,
    // Suites send thousands of requests from one address; the limit has tests of its own.
    rateLimitPerMinute: 1_000_000,
    // The throwaway test server speaks plain TCP on 127.0.0.1.
    databaseSsl: 'disable',
    // Tests that deliver webhooks run the relay themselves (webhooks.test.ts); elsewhere an
    // endpoint a fuzzer subscribed must not be called.
    webhookRelay: false,
    databasePath: databasePath ?? join(tempDir().dir, 'broadsheet.db'),
    mediaDir: join(tempDir('broadsheet-media-').dir, 'media'),
    ...overrides,
  };
}

/** The backend this run tests: SQLite (`npm test`) or PostgreSQL (`npm run test:pg`). */
export const testBackend: 'sqlite' | 'postgres' =
  process.env.TEST_BACKEND === 'postgres' ? 'postgres' : 'sqlite';
export const onPostgres = testBackend === 'postgres';

export interface TestDatabase {
  /** The config keys that select it (DATABASE_URL or DATABASE_PATH). */
  config: Pick<Config, 'databaseUrl' | 'databasePath'>;
  /** The same as environment variables, for a server or CLI process. */
  env: Record<string, string>;
  remove(): Promise<void>;
}

/** An empty, migrated database of the backend under test. */
export async function freshDatabase(): Promise<TestDatabase> {
  const temp = tempDir();
  const databasePath = join(temp.dir, 'broadsheet.db');
  const adminUrl = process.env.TEST_POSTGRES_URL;
  if (!onPostgres || adminUrl === undefined) {
    return {
      config: { databaseUrl: undefined, databasePath },
      env: { DATABASE_PATH: databasePath },
      remove: async () => temp.remove(),
    };
  }
  const name = `test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await adminQuery(adminUrl, `create database ${name} template broadsheet_template`);
  const url = databaseUrl(adminUrl, name);
  return {
    config: { databaseUrl: url, databasePath },
    env: { DATABASE_URL: url, DATABASE_SSL: 'disable', DATABASE_PATH: databasePath },
    async remove() {
      temp.remove();
      await adminQuery(adminUrl, `drop database if exists ${name} with (force)`);
    },
  };
}

// What the app's own timers ask, whatever the requests: the change feed's poll, the photos module's
// checks each second (embargoes that ran out, renditions due, files due for removal; all three at
// the same instant) and the purge of unconfirmed signups.
const timerStatements = [
  '"change_log"',
  '"photos"."embargo_until" is not null and "photos"."embargo_until" <=',
  '"photos"."variants_lease_until" is null or',
  'from "media_deletions"',
  '"newsletter_signups"."status" = ',
];

/**
 * A statement one of the app's timers made: tests that count what a request costs leave these
 * out, or a check that fell in the same milliseconds would count as the request's.
 */
export const fromTimers = (sql: string): boolean =>
  timerStatements.some((fragment) => sql.includes(fragment));

/**
 * A store of the backend under test over `database`, for tests that count statements or look
 * below the API; the app built over it does not close it.
 */
export async function openTestStore(
  database: TestDatabase,
  options: { onQuery?: (sql: string) => void } = {},
): Promise<Store> {
  const { databaseUrl: url, databasePath } = database.config;
  if (url !== undefined)
    return openPostgresStore({
      url,
      poolSize: 4,
      statementTimeoutMs: 30_000,
      ssl: 'disable',
      ...options,
    });
  return openSqliteStore({ path: databasePath, synchronous: 'NORMAL', ...options });
}

/** Collects log lines so tests can assert on what was (not) logged. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    callback();
  }
  get text(): string {
    return this.lines.join('\n');
  }
  parsed(): Array<Record<string, unknown>> {
    return this.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

/** A clock tests can move forward instead of sleeping. */
export function manualClock(start = new Date('2026-11-28T09:00:00.000Z')) {
  let current = start.getTime();
  return {
    now: () => new Date(current),
    advance: (ms: number) => {
      current += ms;
    },
  };
}

export interface TestAppOptions {
  config?: Partial<Config>;
  now?: () => Date;
  logs?: LogCapture;
}

/** A real app over a fresh database of its own (a SQLite file, or a PostgreSQL database). */
export async function createTestApp(options: TestAppOptions = {}) {
  const database = await freshDatabase();
  const config = testConfig({
    ...database.config,
    ...(options.logs === undefined ? {} : { logLevel: 'info' as const }),
    ...options.config,
  });
  const app = await buildApp({
    config,
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.logs === undefined ? {} : { logDestination: options.logs }),
  });
  await app.ready();
  const api = supertest(app.server);
  return {
    app,
    api,
    config,
    database,
    dir: dirname(config.databasePath),
    async token(role: Role, extra: { expiresAt?: Date } = {}): Promise<string> {
      const { token } = await app.services.tokens.create(
        { name: `${role} test`, role, ...extra },
        null,
      );
      return token;
    },
    async close(): Promise<void> {
      await app.close();
      await database.remove();
    },
  };
}

export type TestApp = Awaited<ReturnType<typeof createTestApp>>;

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

export const samplePhoto = {
  url: 'https://cdn.example.org/photos/ministers.jpg',
  altText: 'Four ministers in front of flags',
  caption: 'The four foreign ministers, left to right.',
  credit: { photographer: 'Valery Sharifulin', agency: 'TASS' },
  license: 'Editorial use only',
  width: 1920,
  height: 1280,
};

/** Publishes an article carrying these bylines and tags (authors and tags are public only then). */
export async function publishArticleWith(
  t: { api: ReturnType<typeof supertest> },
  editorToken: string,
  relations: { tagIds?: string[]; authorIds?: string[]; headline?: string },
): Promise<{ id: string; slug: string }> {
  const created = await t.api
    .post('/v1/admin/articles')
    .set(bearer(editorToken))
    .send({ headline: relations.headline ?? 'Carrier story', body: 'Text.', ...relations })
    .expect(201);
  const published = await t.api
    .post(`/v1/admin/articles/${created.body.data.id}/publish`)
    .set(bearer(editorToken))
    .set('If-Match', '"1"')
    .send({})
    .expect(200);
  return published.body.data as { id: string; slug: string };
}

export interface Received {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A receiver on 127.0.0.1 answering each request with the next of `replies` (then 204). */
export async function receiver() {
  const received: Received[] = [];
  const replies: Array<{
    status: number;
    headers?: Record<string, string>;
    delayMs?: number;
    body?: string;
  }> = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', () => {
      received.push({ method: request.method, url: request.url, headers: request.headers, body });
      const reply = replies.shift() ?? { status: 204 };
      setTimeout(() => {
        response.writeHead(reply.status, reply.headers);
        response.end(reply.body);
      }, reply.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    replies,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
