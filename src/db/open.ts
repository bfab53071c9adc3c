import type { Config } from '../config.ts';
import { openPostgresStore } from './postgres.ts';
import { openSqliteStore } from './sqlite.ts';
import type { Store } from './store.ts';

/** The store the configuration names: PostgreSQL when DATABASE_URL is set, else the SQLite file. */
export async function openStore(
  config: Pick<
    Config,
    | 'databaseUrl'
    | 'databasePath'
    | 'databaseSynchronous'
    | 'databasePoolSize'
    | 'databaseStatementTimeoutMs'
    | 'databaseSsl'
  >,
  onPoolError?: (error: Error) => void,
): Promise<Store> {
  if (config.databaseUrl !== undefined) {
    return openPostgresStore({
      url: config.databaseUrl,
      poolSize: config.databasePoolSize,
      statementTimeoutMs: config.databaseStatementTimeoutMs,
      ssl: config.databaseSsl,
      ...(onPoolError === undefined ? {} : { onPoolError }),
    });
  }
  return openSqliteStore({ path: config.databasePath, synchronous: config.databaseSynchronous });
}
