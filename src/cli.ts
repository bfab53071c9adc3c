import { createReadStream, createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { buildApp } from './app.ts';
import { type Config, ConfigError, loadConfig, loadDotEnv } from './config.ts';
import { exportData, importData } from './db/transfer.ts';
import { roles } from './plugins/auth.ts';
import { seedDemo } from './seed.ts';

const usage = `Usage: npm run cms -- <command>

  tokens create --role <writer|editor|admin> --name <name> [--expires-in-days <n>]
                                   create an API token; the secret is printed once
  tokens list                      list tokens (never their secrets)
  tokens revoke <id>               revoke a token at once
  migrate                          apply pending database migrations
  seed                             load the demo newsroom (idempotent)
  openapi [--out <file>]           write the OpenAPI document (default openapi/openapi.json)
  backup <file>                    write a consistent copy of the live database (SQLite: VACUUM
                                   INTO; PostgreSQL: a pg_dump archive, restore with pg_restore)
  export <file>                    write every record as NDJSON (either backend; see import)
  import <file>                    load an export into an empty database, all or nothing (moves
                                   a newsroom between SQLite and PostgreSQL)
  rebuild-documents                render every published article's public documents again,
                                   with progress (start-up renders missing or outdated ones)

The database is DATABASE_URL (PostgreSQL) when set, else DATABASE_PATH (SQLite, default
./data/broadsheet.db); both the server and this command read a .env file in the working
directory, so set it there once for both.`;

class UsageError extends Error {}

async function withApp<T>(
  config: Config,
  fn: (app: Awaited<ReturnType<typeof buildApp>>) => Promise<T>,
) {
  const app = await buildApp({ config: { ...config, logLevel: 'warn' } });
  try {
    await app.ready();
    return await fn(app);
  } finally {
    await app.close();
  }
}

/** Where the database is, said plainly: a token written to another file is a token the server
 * rejects. A PostgreSQL URL is shown without its password. */
function databaseFile(config: Config): string {
  if (config.databaseUrl === undefined) return resolve(config.databasePath);
  const url = new URL(config.databaseUrl);
  return `PostgreSQL ${url.username === '' ? '' : `${decodeURIComponent(url.username)}@`}${url.host}${url.pathname}`;
}

async function tokensCommand(config: Config, args: string[]): Promise<void> {
  const [action, ...rest] = args;
  if (action === undefined || action === 'help' || action === '--help' || action === '-h') {
    process.stdout.write(`${usage}\n`);
    if (action === undefined) process.exitCode = 2;
    return;
  }
  if (action === 'create') {
    const { values } = parseArgs({
      args: rest,
      options: {
        role: { type: 'string' },
        name: { type: 'string' },
        'expires-in-days': { type: 'string' },
      },
      strict: true,
    });
    const role = z.enum(roles).safeParse(values.role);
    if (!role.success) throw new UsageError(`--role must be one of ${roles.join(', ')}`);
    const name = values.name?.trim();
    if (name === undefined || name === '' || name.length > 100)
      throw new UsageError('--name is required (1–100 characters)');
    const days = values['expires-in-days'];
    if (days !== undefined && !/^\d{1,5}$/.test(days))
      throw new UsageError('--expires-in-days must be a whole number');
    const expiresAt = days === undefined ? null : new Date(Date.now() + Number(days) * 86_400_000);
    await withApp(config, async (app) => {
      const { token, record } = await app.services.tokens.create(
        { name, role: role.data, expiresAt },
        null,
      );
      process.stdout.write(
        `Created ${record.role} token "${record.name}" (${record.id}) in ${databaseFile(config)}.\n` +
          `This is the only time the token is shown; store it somewhere safe:\n\n  ${token}\n\n` +
          `Try it (against a server using that same database file):\n` +
          `  curl -H "Authorization: Bearer ${token}" http://${config.host}:${config.port}/v1/admin/tags\n`,
      );
    });
    return;
  }
  if (action === 'list') {
    await withApp(config, async (app) => {
      let after: [number, string] | null = null;
      const lines: string[] = [];
      for (;;) {
        const { items: rows } = await app.services.tokens.list({ limit: 100, after });
        for (const row of rows.slice(0, 100)) {
          const state =
            row.revokedAt !== null
              ? 'revoked'
              : row.expiresAt !== null && Date.parse(row.expiresAt) <= Date.now()
                ? 'expired'
                : 'active';
          lines.push(
            [
              row.id,
              row.role.padEnd(6),
              state.padEnd(7),
              `${row.tokenPrefix}…`,
              row.lastUsedAt ?? 'never used',
              row.name,
            ].join('  '),
          );
        }
        const last = rows[99];
        if (rows.length <= 100 || last === undefined) break;
        after = [Date.parse(last.createdAt), last.id];
      }
      process.stdout.write(lines.length === 0 ? 'No tokens yet.\n' : `${lines.join('\n')}\n`);
    });
    return;
  }
  if (action === 'revoke') {
    const id = rest[0];
    if (id === undefined) throw new UsageError('tokens revoke needs a token id (see tokens list)');
    await withApp(config, async (app) => {
      await app.services.tokens.revoke(id);
      process.stdout.write(`Revoked ${id}.\n`);
    });
    return;
  }
  throw new UsageError(`unknown tokens action "${action ?? ''}"`);
}

async function openapiCommand(config: Config, args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { out: { type: 'string' } }, strict: true });
  const out = values.out ?? 'openapi/openapi.json';
  // The document does not depend on data; build against a throwaway database.
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-openapi-'));
  try {
    await withApp({ ...config, databasePath: join(dir, 'openapi.db') }, async (app) => {
      writeFileSync(out, `${JSON.stringify(app.swagger(), null, 2)}\n`);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`Wrote ${out}\n`);
}

/** Progress on the terminal: one line rewritten in place, or a line per tenth when piped. */
function progressReporter(stream: NodeJS.WriteStream, noun: string) {
  let lastTenth = -1;
  return ({ done, total }: { done: number; total: number }) => {
    const line = `Rendered ${done}/${total} ${noun}`;
    if (stream.isTTY) {
      stream.write(`\r${line}${done === total ? '\n' : ''}`);
      return;
    }
    const tenth = Math.floor((done / Math.max(total, 1)) * 10);
    if (tenth !== lastTenth || done === total) {
      lastTenth = tenth;
      stream.write(`${line}\n`);
    }
  };
}

/** "12 articles, 3 tags, …" for the tables that had rows. */
function summary(counts: Record<string, number>): string {
  const parts = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([name, n]) => `${n} ${name}`);
  return parts.length === 0 ? 'nothing' : parts.join(', ');
}

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  if (command === undefined) throw new UsageError('no command given');
  if (command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${usage}\n`);
    return;
  }
  loadDotEnv();
  const config = loadConfig();
  switch (command) {
    case 'tokens':
      return tokensCommand(config, args);
    case 'migrate':
      // Opening the store applies pending migrations.
      return withApp(config, async () => {
        process.stdout.write(`Database at ${databaseFile(config)} is up to date.\n`);
      });
    case 'seed':
      return withApp(config, async (app) => {
        const report = await seedDemo(app);
        process.stdout.write(
          `Demo content in ${databaseFile(config)}: ${report.created} created, ${report.skipped} already present.\n`,
        );
      });
    case 'openapi':
      return openapiCommand(config, args);
    case 'backup': {
      const target = args[0];
      if (target === undefined) throw new UsageError('backup needs a target file');
      return withApp(config, async (app) => {
        await app.store.backup(target);
        process.stdout.write(`Backed up ${databaseFile(config)} to ${target}\n`);
      });
    }
    case 'export': {
      const target = args[0];
      if (target === undefined) throw new UsageError('export needs a target file');
      return withApp(config, async (app) => {
        const out = createWriteStream(target, { flags: 'wx' });
        const counts = await exportData(app.store, async (line) => {
          if (!out.write(`${line}\n`)) await once(out, 'drain');
        });
        out.end();
        await once(out, 'close');
        process.stdout.write(
          `Exported ${summary(counts)} from ${databaseFile(config)} to ${target}\n`,
        );
      });
    }
    case 'import': {
      const source = args[0];
      if (source === undefined) throw new UsageError('import needs an export file');
      return withApp(config, async (app) => {
        const counts = await importData(app.store, () =>
          createInterface({ input: createReadStream(source), crlfDelay: Infinity }),
        );
        // The public documents are derived: render them now rather than at the next start.
        const rendered = await app.services.documents.rebuild({});
        process.stdout.write(
          `Imported ${summary(counts)} into ${databaseFile(config)}; rendered ${rendered} article documents.\n`,
        );
      });
    }
    case 'rebuild-documents':
      return withApp(config, async (app) => {
        const started = Date.now();
        const rendered = await app.services.documents.rebuild({
          everyOne: true,
          onProgress: progressReporter(process.stderr, 'article documents'),
        });
        process.stdout.write(
          `Rendered ${rendered} article documents in ${databaseFile(config)} (${((Date.now() - started) / 1000).toFixed(1)} s).\n`,
        );
      });
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n\n${usage}\n`);
    process.exitCode = 2;
  } else if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
});
