import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { Agent, get, request } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freshDatabase, tempDir } from './helpers.ts';

// The real entry point, as `npm start` runs it, in a child process.

const temp = tempDir();
afterAll(() => temp.remove());

function startServer(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; port: number; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const port = /listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1];
      if (port !== undefined) resolve({ child, port: Number(port), output: () => output });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
}

describe('server process', () => {
  it('refuses to start on invalid configuration, naming the variable', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      env: { ...process.env, PORT: 'eighty', DATABASE_PATH: join(temp.dir, 'never.db') },
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('PORT: must be a whole number');
  }, 30_000);

  it('seeds the demo on first start and finishes in-flight requests on SIGTERM', async () => {
    const database = await freshDatabase();
    const create = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', 'tokens', 'create', '--role', 'editor', '--name', 't'],
      {
        env: { ...process.env, ...database.env },
        encoding: 'utf8',
      },
    );
    const token = /\b(bs_[A-Za-z0-9_-]{43})\b/.exec(create.stdout)?.[1] ?? '';
    const { child, port, output } = await startServer({ ...database.env, SEED_DEMO: 'true' });

    const tags = await fetch(`http://127.0.0.1:${port}/v1/tags`);
    expect(tags.status).toBe(200);

    const body = JSON.stringify({ name: 'Written during shutdown' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const response = new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/v1/admin/tags',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 10));
      // The request is in flight (half its body sent) when the signal arrives.
      setTimeout(() => child.kill('SIGTERM'), 150);
      setTimeout(() => req.end(body.slice(10)), 400);
    });
    expect(await response).toBe(201);
    expect(await exited).toBe(0);
    expect(output()).toContain('shutting down');

    const restarted = await startServer({ ...database.env, SEED_DEMO: 'true' });
    const stored = await fetch(`http://127.0.0.1:${restarted.port}/v1/admin/tags?limit=100`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(stored.status).toBe(200);
    expect(JSON.stringify(await stored.json())).toContain('written-during-shutdown');
    // An existing database is never re-seeded.
    expect(restarted.output()).not.toContain('demo newsroom');
    restarted.child.kill('SIGTERM');
    await new Promise((resolve) => restarted.child.on('exit', resolve));
    await database.remove();
  }, 60_000);

  it('exits on SIGTERM even when nobody reads its log any more (a full stdout pipe)', async () => {
    const databasePath = join(temp.dir, 'stalled-log.db');
    const { child, port, output } = await startServer({
      DATABASE_PATH: databasePath,
      SEED_DEMO: 'false',
      RATE_LIMIT_PER_MINUTE: '1000000',
    });
    // A fresh database has no token: the start-up says how to make the first one.
    expect(output()).toContain('No API token exists yet');
    expect(output()).toContain('tokens create --role admin');
    // The reader stays alive but stops reading: the pipe fills with request log lines.
    for (const stream of [child.stdout, child.stderr]) {
      stream?.removeAllListeners('data');
      stream?.pause();
    }
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const probe = () =>
      new Promise<number>((resolve) => {
        const req = get({ host: '127.0.0.1', port, path: '/health/live', agent }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', () => resolve(0));
        req.setTimeout(2000, () => req.destroy());
      });
    // Enough log lines to fill any pipe buffer several times over.
    for (let round = 0; round < 40; round += 1)
      await Promise.all(Array.from({ length: 100 }, probe));
    agent.destroy();
    child.kill('SIGTERM');
    const code = await Promise.race([
      exited,
      new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 20_000)),
    ]);
    if (code === 'hung') child.kill('SIGKILL');
    expect(code).not.toBe('hung');
  }, 90_000);

  it('leaves an erased address in no file, even when killed with -9 right after the erasure', async () => {
    const databasePath = join(temp.dir, 'erased.db');
    const create = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', 'tokens', 'create', '--role', 'editor', '--name', 'e'],
      { env: { ...process.env, DATABASE_PATH: databasePath }, encoding: 'utf8' },
    );
    const token = /\b(bs_[A-Za-z0-9_-]{43})\b/.exec(create.stdout)?.[1] ?? '';
    const { child, port } = await startServer({ DATABASE_PATH: databasePath, SEED_DEMO: 'false' });
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`http://127.0.0.1:${port}${path}`, {
        ...init,
        headers: {
          authorization: `Bearer ${token}`,
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
      });
    await api('/v1/admin/newsletters', {
      method: 'POST',
      body: JSON.stringify({
        name: 'Weekly',
        slug: 'weekly',
        cadence: 'weekly',
        privacyPolicyVersion: 'p@1',
      }),
    });
    const email = 'kill.nine.reader@example.org';
    const signup = await api('/v1/newsletters/weekly/signups', {
      method: 'POST',
      body: JSON.stringify({ email, consent: true, privacyPolicyVersion: 'p@1' }),
    });
    expect(signup.status).toBe(202);
    const listed = (await (await api('/v1/admin/newsletters/weekly/signups')).json()) as {
      data: Array<{ id: string }>;
    };
    const erased = await api(`/v1/admin/newsletter-signups/${listed.data[0]?.id}`, {
      method: 'DELETE',
    });
    expect(erased.status).toBe(204);
    const killed = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGKILL');
    await killed;
    const holdsAddress = () =>
      [databasePath, `${databasePath}-wal`].filter((file) => {
        try {
          return readFileSync(file).includes(Buffer.from(email));
        } catch {
          return false;
        }
      });
    expect(holdsAddress()).toEqual([]);
    // And after the restart that recovers the killed process's log.
    const restarted = await startServer({ DATABASE_PATH: databasePath, SEED_DEMO: 'false' });
    restarted.child.kill('SIGTERM');
    await new Promise((resolve) => restarted.child.on('exit', resolve));
    expect(holdsAddress()).toEqual([]);
  }, 60_000);
});
