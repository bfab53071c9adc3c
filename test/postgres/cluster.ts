import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';

// A throwaway PostgreSQL server for tests: a temporary data directory, a free port on 127.0.0.1,
// trust authentication, and no fsync unless asked (the suite needs a server, not durability;
// the stress tier asks for it). initdb refuses to run as root, so as root it runs as `postgres`.

export interface Cluster {
  /** A superuser URL for the `postgres` database. */
  url: string;
  port: number;
  dataDir: string;
  /** Runs `pg_ctl` against this cluster (`stop`, `start`, …). */
  ctl(...args: string[]): void;
  stop(): Promise<void>;
}

const asRoot = process.getuid?.() === 0;

function binary(name: string): string {
  // Debian puts the server programs under /usr/lib/postgresql/<version>/bin, off PATH.
  try {
    return (
      execFileSync('sh', ['-c', `command -v ${name} || ls /usr/lib/postgresql/*/bin/${name}`], {
        encoding: 'utf8',
      })
        .trim()
        .split('\n')[0] ?? name
    );
  } catch {
    return name;
  }
}

/** Runs a server program (as `postgres` when root), under `taskset -c cpus` when given. */
function run(program: string, args: string[], cpus?: string): void {
  const argv = [...(cpus === undefined ? [] : ['taskset', '-c', cpus]), binary(program), ...args];
  const [command = program, ...rest] = asRoot ? ['runuser', '-u', 'postgres', '--', ...argv] : argv;
  execFileSync(command, rest, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

export async function startCluster(
  /** `cpus`: a taskset list the server's processes are pinned to (the benchmark's). */
  options: { durable?: boolean; cpus?: string } = {},
): Promise<Cluster> {
  const dataDir = mkdtempSync(join(tmpdir(), 'broadsheet-pg-'));
  chmodSync(dataDir, 0o777);
  if (asRoot) execFileSync('chown', ['postgres', dataDir]);
  const port = await freePort();
  run('initdb', [
    '-D',
    join(dataDir, 'data'),
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--locale=C',
  ]);
  const settings = [
    `-p ${port}`,
    `-k ${dataDir}`,
    '-c listen_addresses=127.0.0.1',
    '-c max_connections=400',
    ...(options.durable === true
      ? []
      : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']),
  ].join(' ');
  const ctl = (...args: string[]) =>
    run(
      'pg_ctl',
      ['-D', join(dataDir, 'data'), '-o', settings, '-l', join(dataDir, 'log'), '-w', ...args],
      options.cpus,
    );
  ctl('start');
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    dataDir,
    ctl,
    async stop() {
      try {
        ctl('stop', '-m', 'immediate');
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/** `url` with another database name. */
export function databaseUrl(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Runs one statement as the superuser of `url` (CREATE/DROP DATABASE cannot run in a transaction). */
export async function adminQuery(url: string, statement: string): Promise<void> {
  const client = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    await client.unsafe(statement);
  } finally {
    await client.end();
  }
}
