import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { bearer, freshDatabase, tempDir, testConfig } from './helpers.ts';

const temp = tempDir();
// The backend under test: a SQLite file, or a PostgreSQL database (DATABASE_URL).
const database = await freshDatabase();
afterAll(async () => {
  temp.remove();
  await database.remove();
});

function cms(...args: string[]) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...database.env, LOG_LEVEL: 'warn' },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('the cms CLI', () => {
  it('says which database file it wrote to, and reads DATABASE_PATH from a .env file', () => {
    const projectDir = tempDir('broadsheet-dotenv-');
    const fromDotEnv = join(projectDir.dir, 'from-dotenv.db');
    writeFileSync(join(projectDir.dir, '.env'), `DATABASE_PATH=${fromDotEnv}\n`);
    const { DATABASE_PATH: _unset, DATABASE_URL: _unsetUrl, ...env } = process.env;
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href,
        join(process.cwd(), 'src/cli.ts'),
        'tokens',
        'create',
        '--role',
        'admin',
        '--name',
        'Dotenv',
      ],
      { encoding: 'utf8', cwd: projectDir.dir, env: { ...env, LOG_LEVEL: 'warn' } },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(`in ${fromDotEnv}`);
    expect(existsSync(fromDotEnv)).toBe(true);
    projectDir.remove();
  });

  it('fails without a command and helps on --help', () => {
    const none = cms();
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('Usage: npm run cms');
    for (const args of [['--help'], ['tokens', '--help'], ['tokens', 'help']]) {
      const help = cms(...args);
      expect(help.status, args.join(' ')).toBe(0);
      expect(help.stdout).toContain('tokens create');
    }
    expect(cms('tokens').status).toBe(2);
    expect(cms('tokens', 'frobnicate').status).toBe(2);
  });

  it('creates a token that is printed once and works against the API', async () => {
    const created = cms('tokens', 'create', '--role', 'admin', '--name', 'Night desk');
    expect(created.status, created.stderr).toBe(0);
    const token = /\b(bs_[A-Za-z0-9_-]{43})\b/.exec(created.stdout)?.[1];
    expect(token).toBeDefined();

    const app = await buildApp({ config: testConfig(database.config) });
    const response = await app.inject({
      method: 'GET',
      url: '/v1/admin/tokens',
      headers: bearer(token ?? ''),
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().data[0]).toMatchObject({ name: 'Night desk', role: 'admin' });
    await app.close();

    const listed = cms('tokens', 'list');
    expect(listed.status).toBe(0);
    expect(listed.stdout).toContain('Night desk');
    expect(listed.stdout).toContain('active');
    expect(listed.stdout).not.toContain(token);

    const id = /\b(tok_[0-9a-z]{26})\b/.exec(listed.stdout)?.[1] ?? '';
    expect(cms('tokens', 'revoke', id).status).toBe(0);
    expect(cms('tokens', 'list').stdout).toContain('revoked');
  }, 60_000);

  it('explains bad usage with exit code 2', () => {
    const bad = cms('tokens', 'create', '--role', 'overlord', '--name', 'x');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--role must be one of writer, editor, admin');
    expect(cms('frobnicate').status).toBe(2);
  }, 30_000);

  it('seeds the demo idempotently and backs up the database', () => {
    const first = cms('seed');
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/[1-9]\d* created, 0 already present/);
    const second = cms('seed');
    expect(second.stdout).toMatch(/0 created, [1-9]\d* already present/);
    const backupPath = join(temp.dir, 'backups', 'copy.db');
    expect(cms('backup', backupPath).status).toBe(0);
    expect(existsSync(backupPath)).toBe(true);
  }, 60_000);

  it('writes the OpenAPI document', () => {
    const out = join(temp.dir, 'openapi.json');
    expect(cms('openapi', '--out', out).status).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ openapi: '3.1.0' });
  }, 30_000);
});
