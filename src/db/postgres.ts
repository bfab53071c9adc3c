import { sql } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { postgresMigrationsFolder } from './migrate.ts';
import { postgresFullTextIndex } from './postgres-search.ts';
import { type PgTables, pgTables } from './schema-pg.ts';
import type { Tables } from './schema.ts';
import {
  ConstraintError,
  type ConstraintKind,
  type Db,
  type Dialect,
  type Preparable,
  type StatementOptions,
  type Store,
  StorageUnavailableError,
} from './store.ts';

// The PostgreSQL store, over node-postgres (`pg`). bench/pg-drivers.ts measured postgres.js
// reading a page of 20 rows 1.7-1.9x faster through Drizzle (equal on single rows and writes),
// but postgres.js 3.4.9 crashes the process when a connection closes with a write buffered (an
// exception thrown from a timer, which no caller can catch; it happened here in the store
// contract test that cuts a connection). Surviving a database restart matters more; README
// "Running on PostgreSQL" has the figures.

/** `require` encrypts without checking the certificate (libpq's sslmode=require); `verify-full`
 * also checks the certificate and the host name. Undefined leaves it to the URL's sslmode. */
export type PostgresSsl = 'disable' | 'require' | 'verify-full' | undefined;

export interface PostgresStoreOptions {
  /** Told about connection errors that no request is waiting on (an idle connection dropped). */
  onPoolError?: (error: Error) => void;
  url: string;
  /** Connections per pool; the store keeps one pool for reads and one for writes. */
  poolSize: number;
  /** The server cancels any statement running longer (then the request gets a 503). */
  statementTimeoutMs: number;
  ssl: PostgresSsl;
  migrationsFolder?: string;
  /** Called with the SQL of every statement Drizzle runs (query logging, statement counting). */
  onQuery?: (sql: string) => void;
}

/** Attempts of a write that keeps losing conflicts before it is refused. */
const maxWriteAttempts = 10;

// Any key would do; this is "broadsheet" in ASCII, so it is recognisable in pg_locks.
const migrationLockKey = 0x62726f61647368;
const changeLogLockKey = migrationLockKey + 1;
/** The NOTIFY channel that wakes change feeds (the payload is empty: the log is the truth). */
const changeChannel = 'broadsheet_changes';

const constraintCodes: Record<string, ConstraintKind> = {
  '23505': 'unique',
  '23503': 'foreign_key',
  '23514': 'check',
  '23502': 'not_null',
};

/** Another transaction won a conflict: the whole transaction may simply run again. */
const retryableCodes = new Set(['40001', '40P01']);

/**
 * Conditions of the server or the network, not of the request: worth a retry later. SQLSTATE
 * classes 08 (connection), 53 (resources), 57 (operator intervention: shutdown, statement
 * timeout), 58 (system I/O), and the socket's own errors.
 */
function isUnavailable(code: string): boolean {
  return (
    /^(08|53|57|58)/.test(code) ||
    /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH)$/.test(code)
  );
}

/** node-postgres reports a connection that went away, or a pool it cannot fill, without a code. */
const lostConnection =
  /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect|Cannot use a pool after calling end)/;

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/**
 * Drizzle wraps driver errors in an error whose message carries the bound parameters (emails,
 * token hashes), and the server's `detail` names the conflicting values. Keep only the server's
 * message, and turn constraint failures into the Store's engine-neutral ConstraintError.
 */
function translateError(error: unknown): unknown {
  const driverError = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (!(driverError instanceof Error)) return error;
  // Already translated by the pool (see connect()), then wrapped by Drizzle.
  if (driverError instanceof StorageUnavailableError || driverError instanceof ConstraintError)
    return driverError;
  const code = codeOf(driverError);
  if (code === undefined) {
    return lostConnection.test(driverError.message)
      ? new StorageUnavailableError(driverError.message, { cause: driverError })
      : error;
  }
  const kind = constraintCodes[code];
  if (kind !== undefined) return new ConstraintError(kind, driverError.message);
  if (retryableCodes.has(code) || isUnavailable(code)) {
    return new StorageUnavailableError(driverError.message, { cause: driverError });
  }
  return driverError;
}

const postgresDialect: Dialect = {
  // `= any(array(…))`, not `in (select …)`: a prepared statement's generic plan then looks the
  // ids up in the column's index; for `in` the planner guesses 100 rows from the function and
  // joins a sequential scan of the whole table (8 ms instead of 0.2 for one article's tags).
  inJsonArray: (column, param) =>
    sql`${column} = any(array(select json_array_elements_text(${sql.placeholder(param)}::json)))`,
  yearMonth: (column) =>
    sql<string>`to_char(to_timestamp(${column} / 1000.0) at time zone 'UTC', 'YYYY-MM')`,
  nextSearchRowId: sql`nextval('article_search_row_id_seq')`,
  async serialize(tx, resources) {
    if (resources.length === 0) return;
    // One round trip for any number of resources (a tag shown by a thousand articles), the
    // locks taken in the order of their keys, so two writes cannot each hold what the other
    // waits for.
    await (tx as unknown as NodePgDatabase<PgTables>).execute(
      sql`select pg_advisory_xact_lock(key) from (select distinct hashtextextended(resource, 0) as key from json_array_elements_text(${JSON.stringify(resources)}::json) as resource order by key) as keys`,
    );
  },
  async appendChange(tx, at, keys, origin) {
    // MATERIALIZED: the lock is taken before the row's id is drawn from the sequence. Held to
    // COMMIT, it makes content writes commit one after another: at a commit's cost (an fsync,
    // 0.2 ms on the benchmark machine) that bounds them far above what a newsroom writes. Readers
    // that stop below the oldest running transaction instead (pg_snapshot_xmin) would let them
    // commit together, but a long write transaction anywhere on the cluster, in any database,
    // would hold back every instance's invalidations.
    await (tx as unknown as NodePgDatabase<PgTables>).execute(
      sql`with locked as materialized (select pg_advisory_xact_lock(${changeLogLockKey}), pg_notify(${changeChannel}, '')) insert into change_log (at, keys, origin) select ${at.getTime()}, ${JSON.stringify(keys)}::json, ${origin} from locked`,
    );
  },
  async afterImport(tx) {
    await (tx as unknown as NodePgDatabase<PgTables>).execute(
      sql`select setval('article_search_row_id_seq', coalesce((select max(search_row_id) from articles), 0) + 1, false)`,
    );
  },
};

/** The tables modules query, typed as the SQLite ones: test/schema-parity.test.ts proves the
 * row types equal, and the names are the same, so module code means the same on both. */
const sharedTables = pgTables as unknown as Tables;
const asDb = (db: NodePgDatabase<PgTables>) => db as unknown as Db;

interface PgPreparable<R> {
  prepare(name: string): { execute(values?: Record<string, unknown>): Promise<R> };
}

/** Applies pending migrations in one transaction, under an advisory lock: instances starting at
 * once wait for each other, and the second finds nothing left to apply. */
async function migrate(pool: pg.Pool, migrationsFolder: string): Promise<number> {
  const migrations = readMigrationFiles({ migrationsFolder });
  const client = await pool.connect();
  try {
    // READ COMMITTED, not the pool's SERIALIZABLE: each statement after the lock must see what
    // an instance that held it before committed (a serializable snapshot predates the wait).
    await client.query('begin isolation level read committed');
    // A migration may rewrite every row (a backfill): the requests' statement timeout does not
    // apply to it. Other instances wait at the lock meanwhile, not ready yet.
    await client.query('set local statement_timeout = 0');
    await client.query('select pg_advisory_xact_lock($1)', [migrationLockKey]);
    // drizzle-kit's own journal, so its tooling keeps understanding the database.
    await client.query('create schema if not exists drizzle');
    await client.query(
      'create table if not exists drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint)',
    );
    const { rows } = await client.query<{ createdAt: string }>(
      'select created_at as "createdAt" from drizzle.__drizzle_migrations order by created_at desc limit 1',
    );
    const last = rows[0];
    const lastApplied = last === undefined ? -1 : Number(last.createdAt);
    let applied = 0;
    for (const migration of migrations) {
      if (migration.folderMillis <= lastApplied) continue;
      for (const statement of migration.sql) {
        if (statement.trim() !== '') await client.query(statement);
      }
      await client.query(
        'insert into drizzle.__drizzle_migrations (hash, created_at) values ($1, $2)',
        [migration.hash, migration.folderMillis],
      );
      applied += 1;
    }
    await client.query('commit');
    return applied;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const migrationsFolder = options.migrationsFolder ?? postgresMigrationsFolder;
  const expectedMigrations = readMigrationFiles({ migrationsFolder }).length;
  const connect = (settings: string, statementTimeoutMs = options.statementTimeoutMs) => {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize,
      ...(options.ssl === undefined
        ? {}
        : {
            ssl:
              options.ssl === 'disable'
                ? false
                : options.ssl === 'verify-full'
                  ? true
                  : { rejectUnauthorized: false },
          }),
      application_name: 'broadsheet',
      statement_timeout: statementTimeoutMs,
      // A writer that dies mid-transaction must not hold its locks for long.
      idle_in_transaction_session_timeout: Math.max(options.statementTimeoutMs, 10_000),
      connectionTimeoutMillis: 5_000,
      ...(settings === '' ? {} : { options: settings }),
    });
    // A connection that drops (a server restart, a terminated backend) emits 'error' on its
    // client, and with no listener that is an uncaught exception: a pool only listens while the
    // client is idle, and Drizzle's transactions check clients out. The query running on it is
    // rejected all the same, and the pool replaces the connection on the next query.
    pool.on('connect', (client) => client.on('error', (error) => options.onPoolError?.(error)));
    // Idle connections' errors also reach the pool; the listener above has reported them.
    pool.on('error', () => undefined);
    // Queries Drizzle runs on the pool itself (every read through `db`) fail with the Store's
    // own errors, as writes and prepared statements do: a read while the server is down is a
    // StorageUnavailableError (503), not a driver error (500).
    // Drizzle calls the promise form only: (query config or text, values).
    const query = pool.query.bind(pool) as (config: unknown, values?: unknown) => Promise<unknown>;
    const translated = (config: unknown, values?: unknown) =>
      query(config, values).catch((error: unknown) => {
        throw translateError(error);
      });
    pool.query = translated as typeof pool.query;
    return pool;
  };
  // Writes run in READ COMMITTED, and each read-modify-write that SQLite's one writer makes safe
  // by construction is made safe here by its own means: unique constraints (a slug, a version's
  // revision; the loser runs again and sees the winner), `UPDATE … WHERE version = ?` (the
  // If-Match check), a sequence (search row ids), and Dialect.serialize where nothing else
  // fits (the hourly confirmation cap, an article's document, the change log's order).
  // SERIALIZABLE was tried first: its predicate locks cover whole pages and, on small tables,
  // whole relations, so unrelated signups and edits aborted each other (17 PATCH/s).
  const writerPool = connect('');
  // Reads get their own pool, and the server itself refuses a write that slips through `db`.
  const readerPool = connect('-c default_transaction_read_only=on');

  try {
    await migrate(writerPool, migrationsFolder);
  } catch (error) {
    await Promise.allSettled([writerPool.end(), readerPool.end()]);
    throw translateError(error);
  }

  const onQuery = options.onQuery;
  const logger =
    onQuery === undefined ? undefined : { logQuery: (query: string) => onQuery(query) };
  const writer = drizzle({
    client: writerPool,
    schema: pgTables,
    ...(logger === undefined ? {} : { logger }),
  });
  const reader = drizzle({
    client: readerPool,
    schema: pgTables,
    ...(logger === undefined ? {} : { logger }),
  });

  let closed = false;
  const prepared = new Map<
    string,
    { execute(values?: Record<string, unknown>): Promise<unknown> }
  >();
  const preparedWrites = new Map<
    string,
    { execute(values?: Record<string, unknown>): Promise<unknown> }
  >();
  // Reads with a time budget of their own (public search) run on a pool whose connections the
  // server cancels past it; one pool per budget.
  const budgetedPools = new Map<number, pg.Pool>();
  function readerWithin(timeoutMs: number | undefined): NodePgDatabase<PgTables> {
    if (timeoutMs === undefined) return reader;
    let pool = budgetedPools.get(timeoutMs);
    if (pool === undefined) {
      // Planned for each run's own values: the search query's text then folds to constants
      // (see postgres-search.ts), which a plan cached for any value cannot do. No sequential
      // scans: for a word in nearly every article the planner prefers one, which reads every
      // document from TOAST to test it (9x slower than the GIN bitmap it passes over).
      pool = connect(
        '-c default_transaction_read_only=on -c plan_cache_mode=force_custom_plan -c enable_seqscan=off',
        timeoutMs,
      );
      budgetedPools.set(timeoutMs, pool);
    }
    return drizzle({ client: pool, schema: pgTables, ...(logger === undefined ? {} : { logger }) });
  }

  async function write<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    if (closed) throw new Error('The store is closed');
    for (let attempt = 1; ; attempt += 1) {
      try {
        // A failed COMMIT rejects here, so no caller acknowledges a write that was not stored.
        return await writer.transaction((tx) => fn(tx as unknown as Db));
      } catch (error) {
        const code = codeOf(
          error instanceof Error && error.cause instanceof Error ? error.cause : error,
        );
        // A unique violation is retried too: two transactions that each found a slug free and
        // both took it are a race the second learns of as 23505 once the first commits. Run
        // again, it sees the winner's row and picks another; a real conflict (a slug an editor
        // asked for that is taken) fails the same way again and is answered 409.
        const retryable = code !== undefined && (retryableCodes.has(code) || code === '23505');
        if (retryable && attempt < maxWriteAttempts) {
          // Jittered backoff, so the transactions that collided do not collide again.
          await new Promise((resolve) =>
            setTimeout(resolve, Math.random() * Math.min(2 ** attempt, 50)),
          );
          continue;
        }
        throw translateError(error);
      }
    }
  }

  return {
    backend: 'postgres',
    tables: sharedTables,
    dialect: postgresDialect,
    search: postgresFullTextIndex,
    file: undefined,
    db: asDb(reader),
    write,

    statement<R, P extends Record<string, unknown> = Record<string, unknown>>(
      name: string,
      build: (db: Db) => Preparable<R>,
      statementOptions: StatementOptions = {},
    ): (params: P) => Promise<R> {
      const key = `${name}@${statementOptions.timeoutMs ?? ''}`;
      let statement = prepared.get(key);
      if (statement === undefined) {
        // The builder was typed with SQLite's prepare(); on this driver it takes a name.
        statement = (
          build(asDb(readerWithin(statementOptions.timeoutMs))) as unknown as PgPreparable<unknown>
        ).prepare(name.replace(/[^A-Za-z0-9_]/g, '_'));
        prepared.set(key, statement);
      }
      const ready = statement;
      return async (params: P) => {
        try {
          return (await ready.execute(params)) as R;
        } catch (error) {
          throw translateError(error);
        }
      };
    },

    writeStatement<R, P extends Record<string, unknown> = Record<string, unknown>>(
      name: string,
      build: (db: Db) => Preparable<R>,
    ): (tx: Db, params: P) => Promise<R> {
      let statement = preparedWrites.get(name);
      if (statement === undefined) {
        statement = (build(asDb(writer)) as unknown as PgPreparable<unknown>).prepare(
          `w_${name.replace(/[^A-Za-z0-9_]/g, '_')}`,
        );
        preparedWrites.set(name, statement);
      }
      const ready = statement;
      return async (tx: Db, params: P) => {
        // Drizzle binds a prepared query to the connection it was built on. The write's own
        // connection takes its place, so the statement runs inside that transaction; errors
        // reach write(), which retries or translates them.
        const client = (tx as unknown as { session?: { client?: unknown } }).session?.client;
        if (client === undefined) throw new Error(`${name}: not inside a write transaction`);
        const bound = Object.create(ready, { client: { value: client } }) as typeof ready;
        return (await bound.execute(params)) as R;
      };
    },

    async watchChanges(wake: () => void): Promise<() => Promise<void>> {
      // One connection of its own, outside the pools: LISTEN belongs to a session. When it
      // drops, it is opened again after a pause; meanwhile the feed's timer still reads the log.
      let client: pg.Client | undefined;
      let stopped = false;
      let retry: NodeJS.Timeout | undefined;
      const listenLater = () => {
        if (stopped || retry !== undefined) return;
        retry = setTimeout(() => {
          retry = undefined;
          void listen();
        }, 1000);
        retry.unref();
      };
      const listen = async () => {
        const next = new pg.Client({
          connectionString: options.url,
          application_name: 'broadsheet',
          connectionTimeoutMillis: 5_000,
        });
        next.on('notification', () => wake());
        next.on('error', () => undefined);
        next.on('end', () => {
          if (client === next) client = undefined;
          listenLater();
        });
        try {
          await next.connect();
          await next.query(`listen ${changeChannel}`);
        } catch {
          await next.end().catch(() => undefined);
          listenLater();
          return;
        }
        client = next;
        // Changes committed while it was not listening are read now.
        wake();
      };
      await listen();
      return async () => {
        stopped = true;
        clearTimeout(retry);
        await client?.end().catch(() => undefined);
      };
    },

    async checkpoint(): Promise<void> {
      // Old row versions of erased signups stay in the table's pages until a vacuum reclaims
      // them; VACUUM cannot run inside a transaction, so it goes straight to the pool.
      try {
        await writerPool.query('vacuum newsletter_signups, newsletter_consent_events');
      } catch (error) {
        throw translateError(error);
      }
    },

    async backup(toPath: string): Promise<void> {
      // pg_dump reads one consistent snapshot while the server keeps serving writes.
      mkdirSync(dirname(toPath), { recursive: true });
      await promisify(execFile)('pg_dump', ['--format=custom', '--file', toPath, options.url]);
    },

    async ready(): Promise<boolean> {
      if (closed) return false;
      try {
        const { rows } = await readerPool.query<{ n: number }>(
          'select count(*)::int as n from drizzle.__drizzle_migrations',
        );
        const applied = rows[0]?.n ?? 0;
        return applied >= expectedMigrations;
      } catch {
        return false;
      }
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await Promise.all(
        [writerPool, readerPool, ...budgetedPools.values()].map((pool) => pool.end()),
      );
    },
  };
}
