import { buildApp } from './app.ts';
import { resolve } from 'node:path';
import { ConfigError, loadConfig, loadDotEnv } from './config.ts';
import { flushStandardOutputLog } from './logger.ts';
import { seedDemoIfEmpty } from './seed.ts';

// Loads the config, builds the app, listens; SIGTERM/SIGINT close it gracefully.

const shutdownGraceMs = 10_000;

async function main(): Promise<void> {
  loadDotEnv();
  const config = loadConfig();
  const app = await buildApp({ config });

  if (config.seedDemo) {
    const seeded = await seedDemoIfEmpty(app);
    if (seeded)
      app.log.info('Loaded the demo newsroom into an empty database (SEED_DEMO=false to skip).');
  }
  // The one step a new user needs next, for as long as nobody has taken it.
  const { items } = await app.services.tokens.list({ limit: 1, after: null });
  if (items.length === 0) {
    // The URL may hold a password, which never goes to the log: the same environment will do.
    const database =
      config.databaseUrl === undefined
        ? `DATABASE_PATH=${resolve(config.databasePath)} `
        : 'DATABASE_URL=… (the same as this server) ';
    app.log.info(
      `No API token exists yet. Create the first one (an admin token: it can also manage tokens) with:  ${database}npm run cms -- tokens create --role admin --name "Your name"`,
    );
  }

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    // Armed before anything else can go wrong, and it exits without writing a word first:
    // logging never blocks (see logger.ts), but the way out must not depend on it.
    const forced = setTimeout(() => process.exit(1), shutdownGraceMs);
    forced.unref();
    app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    const exit = (code: number) =>
      void flushStandardOutputLog(500).finally(() => process.exit(code));
    app.close().then(
      () => exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'error while shutting down');
        exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));

  await app.listen({ host: config.host, port: config.port });
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(
      `Broadsheet failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
});
