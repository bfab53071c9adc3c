import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { bearer, tempDir, testConfig } from './helpers.ts';

const temp = tempDir();
const databasePath = join(temp.dir, 'cli.db');
afterAll(() => temp.remove());

function cms(...args: string[]) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, DATABASE_PATH: databasePath, LOG_LEVEL: 'warn' },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('the cms CLI', () => {
  it('creates a token that is printed once and works against the API', async () => {
    const created = cms('tokens', 'create', '--role', 'admin', '--name', 'Night desk');
    expect(created.status, created.stderr).toBe(0);
    const token = /\b(bs_[A-Za-z0-9_-]{43})\b/.exec(created.stdout)?.[1];
    expect(token).toBeDefined();

    const app = await buildApp({ config: testConfig({}, databasePath) });
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
