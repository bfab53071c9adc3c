import Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { tempDir, testConfig } from '../helpers.ts';
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

const temp = tempDir('broadsheet-stress-');
afterAll(() => temp.remove());

describe('kill -9 during a write burst', () => {
  it('loses no acknowledged write in 20 cycles, and the database stays consistent', async () => {
    const databasePath = join(temp.dir, 'kill9.db');
    const token = createToken(databasePath);
    await createWeeklyNewsletter(databasePath);

    const acknowledged = emptyAcknowledged();
    for (let cycle = 0; cycle < 20; cycle += 1) {
      const { child, url } = await startServer({
        DATABASE_PATH: databasePath,
        SIGNUP_RATE_LIMIT: '100000',
        SIGNUPS_PER_CLIENT_PER_HOUR: '1000000',
      });
      const stop = { now: false };
      const clients = writeLoad(url, token, acknowledged, stop);
      await new Promise((resolve) => setTimeout(resolve, 200 + Math.random() * 600));
      child.kill('SIGKILL');
      await exited(child);
      stop.now = true;
      await Promise.all(clients);
    }

    const { integrity, foreignKeys } = checkDatabase(databasePath);
    expect(integrity).toBe('ok');
    expect(foreignKeys).toEqual([]);
    expect(missingWrites(databasePath, acknowledged)).toEqual({ articles: [], signups: [] });
    const app = await buildApp({ config: testConfig({}, databasePath) });
    const synchronous = await app.store.db.all<{ synchronous: number }>(
      sql.raw('PRAGMA synchronous'),
    );
    expect(synchronous[0]?.synchronous).toBe(2); // FULL, as the README documents
    await app.close();
    expect(acknowledged.articles.size).toBeGreaterThan(100);
    process.stdout.write(
      `kill -9: 20 cycles, ${acknowledged.articles.size} articles and ${acknowledged.signups.length} signups acknowledged, 0 lost\n`,
    );
  });
});

describe('WAL', () => {
  it('stays under 16 MB after 10,000 article writes', async () => {
    const databasePath = join(temp.dir, 'wal.db');
    const app = await buildApp({
      config: testConfig({ databaseSynchronous: 'NORMAL' }, databasePath),
    });
    for (let i = 0; i < 10_000; i += 1) {
      await app.services.articles.create({
        headline: `WAL ${i}`,
        body: `Paragraph ${i} `.repeat(50),
      });
    }
    const walBytes = statSync(`${databasePath}-wal`).size;
    await app.close();
    process.stdout.write(
      `WAL after 10,000 article writes: ${(walBytes / 1024 / 1024).toFixed(1)} MB\n`,
    );
    expect(walBytes).toBeLessThan(16 * 1024 * 1024);
  });
});

describe('backup and restore drill', () => {
  it('backs up under write load a consistent copy holding every write acknowledged before it began', async () => {
    const databasePath = join(temp.dir, 'live.db');
    const token = createToken(databasePath);
    const { child, url } = await startServer({ DATABASE_PATH: databasePath });
    const acknowledged = emptyAcknowledged();
    const stop = { now: false };
    const setup = await fetch(`${url}/v1/admin/newsletters`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Weekly',
        slug: 'weekly',
        cadence: 'weekly',
        privacyPolicyVersion: 'p@1',
      }),
    });
    expect(setup.status).toBe(201);
    const clients = writeLoad(url, token, acknowledged, stop);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const before = new Map(acknowledged.articles);
    const backupPath = join(temp.dir, 'backup.db');
    const backup = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', 'backup', backupPath],
      {
        env: { ...process.env, DATABASE_PATH: databasePath },
        encoding: 'utf8',
      },
    );
    expect(backup.status, backup.stderr).toBe(0);
    stop.now = true;
    await Promise.all(clients);
    child.kill('SIGTERM');
    await exited(child);

    expect(checkDatabase(backupPath)).toEqual({ integrity: 'ok', foreignKeys: [] });
    const restored = await startServer({ DATABASE_PATH: backupPath });
    const db = new Database(backupPath, { readonly: true });
    const ids = new Set(
      (db.prepare('SELECT id FROM articles').all() as Array<{ id: string }>).map((row) => row.id),
    );
    db.close();
    expect([...before.keys()].filter((id) => !ids.has(id))).toEqual([]);
    expect(before.size).toBeGreaterThan(10);
    restored.child.kill('SIGTERM');
    await exited(restored.child);
  });
});
