import Database from 'better-sqlite3';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { buildApp } from '../../src/app.ts';
import type { Config } from '../../src/config.ts';
import type { Store } from '../../src/db/store.ts';
import { testConfig } from '../helpers.ts';

/**
 * The newsletter `writeLoad` signs readers up to (`weekly`, policy `p@1`), before any server runs.
 * `database`: a SQLite file, or the config keys of any backend's database.
 */
export async function createWeeklyNewsletter(
  database: string | Pick<Config, 'databaseUrl' | 'databasePath'>,
): Promise<void> {
  const app = await buildApp({
    config: typeof database === 'string' ? testConfig({}, database) : testConfig(database),
  });
  await app.services.newsletters.create({
    name: 'Weekly',
    slug: 'weekly',
    cadence: 'weekly',
    privacyPolicyVersion: 'p@1',
  });
  await app.close();
}

/** The real server entry point in its own process group, on a free port. */
export async function startServer(
  env: Record<string, string>,
  /** A command the server runs under, e.g. `['fiu-run', '-x']` for fault injection. */
  wrapper: string[] = [],
): Promise<{ child: ChildProcess; url: string }> {
  const port = await new Promise<number>((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        resolve(typeof address === 'object' && address !== null ? address.port : 0),
      );
    });
  });
  const command = [...wrapper, process.execPath, '--import', 'tsx', 'src/server.ts'];
  const [program = process.execPath, ...args] = command;
  const child = spawn(program, args, {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      SEED_DEMO: 'false',
      LOG_LEVEL: 'warn',
      // The load comes from one address; the per-client limit has tests of its own.
      RATE_LIMIT_PER_MINUTE: '100000000',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/health/ready`)).ok) return { child, url };
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

/** `database`: a SQLite file, or the environment that selects any backend's database. */
export function createToken(database: string | Record<string, string>): string {
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'src/cli.ts', 'tokens', 'create', '--role', 'editor', '--name', 'stress'],
    {
      env: {
        ...process.env,
        ...(typeof database === 'string' ? { DATABASE_PATH: database } : database),
      },
      encoding: 'utf8',
    },
  );
  const token = /\b(bs_[A-Za-z0-9_-]{43})\b/.exec(run.stdout)?.[1];
  if (token === undefined) throw new Error(run.stderr);
  return token;
}

export function checkDatabase(path: string) {
  const db = new Database(path, { readonly: true });
  const integrity = db.pragma('integrity_check', { simple: true });
  const foreignKeys = db.pragma('foreign_key_check') as unknown[];
  db.close();
  return { integrity, foreignKeys };
}

export interface Acknowledged {
  articles: Map<string, string>; // id → headline as last acknowledged
  /** Edits sent but not acknowledged (the server died first): they may or may not be stored. */
  unconfirmedEdits: Map<string, string>;
  signups: string[];
}

export function emptyAcknowledged(): Acknowledged {
  return { articles: new Map(), unconfirmedEdits: new Map(), signups: [] };
}

/**
 * 16 clients writing as fast as they can: article creates and edits, and signups. `onAnswer`
 * sees the status of every write the server answered.
 */
export function writeLoad(
  url: string,
  token: string,
  acknowledged: Acknowledged,
  stop: { now: boolean },
  onAnswer: (status: number) => void = () => undefined,
) {
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  let counter = 0;
  return Array.from({ length: 16 }, async (_, client) => {
    while (!stop.now) {
      counter += 1;
      const n = `${client}-${counter}-${Date.now()}`;
      try {
        if (counter % 3 === 0) {
          const email = `stress-${n}@example.org`;
          const response = await fetch(`${url}/v1/newsletters/weekly/signups`, {
            method: 'POST',
            headers: auth,
            body: JSON.stringify({ email, consent: true, privacyPolicyVersion: 'p@1' }),
          });
          onAnswer(response.status);
          if (response.status === 202) acknowledged.signups.push(email);
        } else {
          const headline = `Stress ${n}`;
          const created = await fetch(`${url}/v1/admin/articles`, {
            method: 'POST',
            headers: auth,
            body: JSON.stringify({ headline, body: 'x' }),
          });
          onAnswer(created.status);
          if (created.status !== 201) continue;
          const { data } = (await created.json()) as { data: { id: string } };
          acknowledged.articles.set(data.id, headline);
          acknowledged.unconfirmedEdits.set(data.id, `${headline} (edited)`);
          const edited = await fetch(`${url}/v1/admin/articles/${data.id}`, {
            method: 'PATCH',
            headers: { ...auth, 'if-match': '"1"' },
            body: JSON.stringify({ headline: `${headline} (edited)` }),
          });
          onAnswer(edited.status);
          if (edited.status === 200) {
            acknowledged.articles.set(data.id, `${headline} (edited)`);
            acknowledged.unconfirmedEdits.delete(data.id);
          }
        }
      } catch {
        // The server was killed mid-request: not acknowledged, nothing to check.
      }
    }
  });
}

/** Acknowledged writes the database does not hold. An edit never answered may be stored or not. */
export function missingWrites(databasePath: string, acknowledged: Acknowledged) {
  const db = new Database(databasePath, { readonly: true });
  const articles = db.prepare('SELECT id, headline FROM articles').all() as Array<{
    id: string;
    headline: string;
  }>;
  const signups = db.prepare('SELECT email FROM newsletter_signups').all() as Array<{
    email: string | null;
  }>;
  db.close();
  return compareWithStored(acknowledged, articles, signups);
}

/** The same over any store. */
export async function missingWritesIn(store: Store, acknowledged: Acknowledged) {
  const { articles, newsletterSignups } = store.tables;
  return compareWithStored(
    acknowledged,
    await store.db.select({ id: articles.id, headline: articles.headline }).from(articles),
    await store.db.select({ email: newsletterSignups.email }).from(newsletterSignups),
  );
}

function compareWithStored(
  acknowledged: Acknowledged,
  articles: Array<{ id: string; headline: string }>,
  signups: Array<{ email: string | null }>,
) {
  const stored = new Map(articles.map((row) => [row.id, row.headline]));
  const emails = new Set(signups.map((row) => row.email));
  return {
    articles: [...acknowledged.articles].filter(
      ([id, headline]) =>
        stored.get(id) !== headline && stored.get(id) !== acknowledged.unconfirmedEdits.get(id),
    ),
    signups: acknowledged.signups.filter((email) => !emails.has(email)),
  };
}
