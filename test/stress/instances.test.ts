import Database from 'better-sqlite3';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.ts';
import {
  checkDatabase,
  createToken,
  createWeeklyNewsletter,
  emptyAcknowledged,
  exited,
  missingWrites,
  startServer,
  writeLoad,
} from './server.ts';

// Two server processes over one SQLite database, as two instances on one machine would run:
// they migrate once between them, each sees the other's writes through the change log, the
// If-Match check holds across them, and killing one loses nothing it acknowledged while the
// other goes on serving.

const temp = tempDir('broadsheet-instances-');
afterAll(() => temp.remove());

const instanceEnv = (databasePath: string) => ({
  DATABASE_PATH: databasePath,
  // Read the change log often: the test waits for the other instance to catch up.
  CHANGE_POLL_MS: '50',
  SIGNUP_RATE_LIMIT: '100000',
  SIGNUPS_PER_CLIENT_PER_HOUR: '1000000',
});

/** Waits until `check` holds; the bound only keeps a broken build from hanging the suite. */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('two instances over one database', () => {
  it('migrate once, see each other’s writes, and let exactly one of two editors win', async () => {
    const databasePath = join(temp.dir, 'shared.db');
    const [a, b] = await Promise.all([
      startServer(instanceEnv(databasePath)),
      startServer(instanceEnv(databasePath)),
    ]);
    try {
      const db = new Database(databasePath, { readonly: true });
      const applied = db.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as {
        n: number;
      };
      db.close();
      const shipped = readdirSync('migrations/sqlite').filter((name) => name.endsWith('.sql'));
      expect(applied.n).toBe(shipped.length);

      const token = createToken(databasePath);
      const editor = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const created = await fetch(`${a.url}/v1/admin/articles`, {
        method: 'POST',
        headers: editor,
        body: JSON.stringify({ headline: 'Tram line opens', body: 'Text.' }),
      });
      const { data: article } = (await created.json()) as { data: { id: string; slug: string } };
      const published = await fetch(`${a.url}/v1/admin/articles/${article.id}/publish`, {
        method: 'POST',
        headers: { ...editor, 'if-match': '"1"' },
        body: '{}',
      });
      expect(published.status).toBe(200);

      const headlineOnB = async () => {
        const response = await fetch(`${b.url}/v1/articles/${article.slug}`);
        if (response.status !== 200) return undefined;
        const body = (await response.json()) as { data: { headline: string } };
        return { headline: body.data.headline, cache: response.headers.get('x-cache') };
      };
      await eventually(async () => (await headlineOnB())?.cache === 'hit', 'B caches the article');

      const edited = await fetch(`${a.url}/v1/admin/articles/${article.id}`, {
        method: 'PATCH',
        headers: { ...editor, 'if-match': '"2"' },
        body: JSON.stringify({ headline: 'Tram line opens early' }),
      });
      expect(edited.status).toBe(200);
      await eventually(
        async () => (await headlineOnB())?.headline === 'Tram line opens early',
        'B drops its cached copy and shows the edit',
      );

      // Two editors, one on each instance, saving over the same version.
      const save = (url: string, headline: string) =>
        fetch(`${url}/v1/admin/articles/${article.id}`, {
          method: 'PATCH',
          headers: { ...editor, 'if-match': '"3"' },
          body: JSON.stringify({ headline }),
        });
      const statuses = (await Promise.all([save(a.url, 'From A'), save(b.url, 'From B')])).map(
        (response) => response.status,
      );
      expect(statuses.sort()).toEqual([200, 412]);
    } finally {
      a.child.kill('SIGTERM');
      b.child.kill('SIGTERM');
      await Promise.all([exited(a.child), exited(b.child)]);
    }
  });

  it('loses nothing one acknowledged when it is killed mid-write, and the other keeps serving', async () => {
    const databasePath = join(temp.dir, 'kill.db');
    const token = createToken(databasePath);
    await createWeeklyNewsletter(databasePath);

    const [a, b] = await Promise.all([
      startServer(instanceEnv(databasePath)),
      startServer(instanceEnv(databasePath)),
    ]);
    try {
      const acknowledged = emptyAcknowledged();
      const stop = { now: false };
      // Both instances take writes; A dies in the middle of them.
      const clients = [
        ...writeLoad(a.url, token, acknowledged, stop),
        ...writeLoad(b.url, token, acknowledged, stop),
      ];
      await new Promise((resolve) => setTimeout(resolve, 1500));
      a.child.kill('SIGKILL');
      await exited(a.child);
      await new Promise((resolve) => setTimeout(resolve, 500));
      stop.now = true;
      await Promise.all(clients);

      expect((await fetch(`${b.url}/health/ready`)).status).toBe(200);
      expect((await fetch(`${b.url}/v1/articles`)).status).toBe(200);
      const tag = await fetch(`${b.url}/v1/admin/tags`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'After the crash' }),
      });
      expect(tag.status).toBe(201);
      expect(acknowledged.articles.size).toBeGreaterThan(20);
      expect(missingWrites(databasePath, acknowledged)).toEqual({ articles: [], signups: [] });
      const { integrity, foreignKeys } = checkDatabase(databasePath);
      expect(integrity).toBe('ok');
      expect(foreignKeys).toEqual([]);
    } finally {
      a.child.kill('SIGKILL');
      b.child.kill('SIGTERM');
      await Promise.all([exited(a.child), exited(b.child)]);
    }
  });
});
