import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import supertest from 'supertest';
import { buildApp } from '../src/app.ts';
import { type Config, loadConfig } from '../src/config.ts';
import type { Role } from '../src/plugins/auth.ts';

export function tempDir(prefix = 'broadsheet-test-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function testConfig(overrides: Partial<Config> = {}, databasePath?: string): Config {
  return {
    ...loadConfig({}),
    logLevel: 'silent',
    seedDemo: false,
    // Suites send thousands of requests from one address; the limit has tests of its own.
    rateLimitPerMinute: 1_000_000,
    databasePath: databasePath ?? join(tempDir().dir, 'broadsheet.db'),
    ...overrides,
  };
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

/** A real app over a fresh SQLite file of its own. */
export async function createTestApp(options: TestAppOptions = {}) {
  const temp = tempDir();
  const config = testConfig(
    { ...(options.logs === undefined ? {} : { logLevel: 'info' as const }), ...options.config },
    join(temp.dir, 'broadsheet.db'),
  );
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
    dir: temp.dir,
    async token(role: Role, extra: { expiresAt?: Date } = {}): Promise<string> {
      const { token } = await app.services.tokens.create(
        { name: `${role} test`, role, ...extra },
        null,
      );
      return token;
    },
    async close(): Promise<void> {
      await app.close();
      temp.remove();
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
