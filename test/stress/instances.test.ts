import Database from 'better-sqlite3';
import { readdirSync } from 'node:fs';
import pg from 'pg';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../src/db/postgres.ts';
import { openSqliteStore } from '../../src/db/sqlite.ts';
import type { Store } from '../../src/db/store.ts';
import { tempDir } from '../helpers.ts';
import { adminQuery, type Cluster, databaseUrl, startCluster } from '../postgres/cluster.ts';
import {
  checkDatabase,
  createToken,
  createWeeklyNewsletter,
  emptyAcknowledged,
  exited,
  missingWritesIn,
  startServer,
  writeLoad,
} from './server.ts';

// Two server processes over one database, as two instances behind a load balancer run: they
// migrate once between them, each sees the other's writes through the change log, the If-Match
// check holds across them, and killing one loses nothing it acknowledged while the other goes on
// serving. On SQLite (two processes on one machine) and on PostgreSQL (a server of its own, with
// fsync on: this is about durability); on PostgreSQL also a database restart under load.

const temp = tempDir('broadsheet-instances-');
let cluster: Cluster | undefined;
beforeAll(async () => {
  cluster = await startCluster({ durable: true });
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
  temp.remove();
});

interface SharedDatabase {
  /** Selects it, for servers and the CLI. */
  env: Record<string, string>;
  config: { databaseUrl: string | undefined; databasePath: string };
  /** Migrations recorded in the database, and shipped for its backend. */
  migrations(): Promise<{ applied: number; shipped: number }>;
  open(): Promise<Store>;
}

const backends = {
  async sqlite(name: string): Promise<SharedDatabase> {
    const path = join(temp.dir, `${name}.db`);
    return {
      env: { DATABASE_PATH: path },
      config: { databaseUrl: undefined, databasePath: path },
      async migrations() {
        const db = new Database(path, { readonly: true });
        const row = db.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as {
          n: number;
        };
        db.close();
        const shipped = readdirSync('migrations/sqlite').filter((file) => file.endsWith('.sql'));
        return { applied: row.n, shipped: shipped.length };
      },
      open: async () => openSqliteStore({ path, synchronous: 'FULL' }),
    };
  },
  async postgres(name: string): Promise<SharedDatabase> {
    if (cluster === undefined) throw new Error('no cluster');
    await adminQuery(cluster.url, `create database ${name}`);
    const url = databaseUrl(cluster.url, name);
    const open = () =>
      openPostgresStore({ url, poolSize: 2, statementTimeoutMs: 30_000, ssl: 'disable' });
    return {
      env: { DATABASE_URL: url, DATABASE_SSL: 'disable' },
      config: { databaseUrl: url, databasePath: join(temp.dir, 'unused.db') },
      async migrations() {
        const applied = await countPostgresMigrations(url);
        const shipped = readdirSync('migrations/postgres').filter((file) => file.endsWith('.sql'));
        return { applied, shipped: shipped.length };
      },
      open,
    };
  },
};

async function countPostgresMigrations(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      'select count(*)::int as n from drizzle.__drizzle_migrations',
    );
    return rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
}

const instanceEnv = (database: SharedDatabase) => ({
  ...database.env,
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

describe.each(['sqlite', 'postgres'] as const)('two instances over one %s database', (backend) => {
  it('migrate once, see each other’s writes, and let exactly one of two editors win', async () => {
    const database = await backends[backend]('shared');
    // Both start on an empty database at once: each tries to migrate it.
    const [a, b] = await Promise.all([
      startServer(instanceEnv(database)),
      startServer(instanceEnv(database)),
    ]);
    try {
      const { applied, shipped } = await database.migrations();
      expect(applied).toBe(shipped);

      const token = createToken(database.env);
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
    const database = await backends[backend]('killed');
    const token = createToken(database.env);
    await createWeeklyNewsletter(database.config);

    const [a, b] = await Promise.all([
      startServer(instanceEnv(database)),
      startServer(instanceEnv(database)),
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
      const store = await database.open();
      try {
        expect(await missingWritesIn(store, acknowledged)).toEqual({ articles: [], signups: [] });
      } finally {
        await store.close();
      }
      if (backend === 'sqlite') {
        const { integrity, foreignKeys } = checkDatabase(database.config.databasePath);
        expect(integrity).toBe('ok');
        expect(foreignKeys).toEqual([]);
      }
    } finally {
      a.child.kill('SIGKILL');
      b.child.kill('SIGTERM');
      await Promise.all([exited(a.child), exited(b.child)]);
    }
  });
});

describe('kill -9 during a write burst on PostgreSQL', () => {
  it('loses no acknowledged write in 20 cycles', async () => {
    const database = await backends.postgres('killed_often');
    const token = createToken(database.env);
    await createWeeklyNewsletter(database.config);
    const acknowledged = emptyAcknowledged();
    for (let cycle = 0; cycle < 20; cycle += 1) {
      const server = await startServer(instanceEnv(database));
      const stop = { now: false };
      const clients = writeLoad(server.url, token, acknowledged, stop);
      await new Promise((resolve) => setTimeout(resolve, 200 + Math.random() * 600));
      server.child.kill('SIGKILL');
      await exited(server.child);
      stop.now = true;
      await Promise.all(clients);
    }
    const store = await database.open();
    try {
      expect(await missingWritesIn(store, acknowledged)).toEqual({ articles: [], signups: [] });
    } finally {
      await store.close();
    }
    expect(acknowledged.articles.size).toBeGreaterThan(100);
  });
});

describe('a PostgreSQL restart under load', () => {
  it('is answered with 503 and Retry-After while the database is down, and served again after, with no restart of the API', async () => {
    const database = await backends.postgres('restarted');
    const token = createToken(database.env);
    await createWeeklyNewsletter(database.config);
    const server = await startServer(instanceEnv(database));
    try {
      const acknowledged = emptyAcknowledged();
      const stop = { now: false };
      const answers = new Map<number, number>();
      const clients = writeLoad(server.url, token, acknowledged, stop, (status) =>
        answers.set(status, (answers.get(status) ?? 0) + 1),
      );
      await new Promise((resolve) => setTimeout(resolve, 1000));
      cluster?.ctl('stop', '-m', 'fast');
      // While it is down: every answer is a 503 that says when to come back, never a 500.
      const down = await fetch(`${server.url}/v1/admin/tags`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'During the outage' }),
      });
      expect(down.status).toBe(503);
      expect(down.headers.get('retry-after')).toBe('1');
      expect((await fetch(`${server.url}/health/ready`)).status).toBe(503);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      cluster?.ctl('start');
      await eventually(
        async () => (await fetch(`${server.url}/health/ready`)).status === 200,
        'the API is ready again',
      );
      await new Promise((resolve) => setTimeout(resolve, 1000));
      stop.now = true;
      await Promise.all(clients);

      expect(answers.get(500) ?? 0).toBe(0);
      expect(answers.get(503) ?? 0).toBeGreaterThan(0);
      const after = await fetch(`${server.url}/v1/admin/tags`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'After the outage' }),
      });
      expect(after.status).toBe(201);
      expect(server.child.exitCode).toBeNull();
      const store = await database.open();
      try {
        expect(await missingWritesIn(store, acknowledged)).toEqual({ articles: [], signups: [] });
      } finally {
        await store.close();
      }
    } finally {
      server.child.kill('SIGTERM');
      await exited(server.child);
    }
  });
});
