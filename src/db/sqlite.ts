import Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  applyMigrations,
  appliedMigrationCount,
  defaultMigrationsFolder,
  shippedMigrationCount,
} from './migrate.ts';
import { tables } from './schema.ts';
import { sqliteFullTextIndex } from './sqlite-search.ts';
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

const sqliteDialect: Dialect = {
  inJsonArray: (column, param) =>
    sql`${column} in (select value from json_each(${sql.placeholder(param)}))`,
  yearMonth: (column) => sql<string>`strftime('%Y-%m', ${column} / 1000, 'unixepoch')`,
  nextSearchRowId: sql`(select coalesce(max(${tables.articles.searchRowId}), 0) + 1 from ${tables.articles})`,
  // Nothing to move on: the next search row id is read from the rows themselves.
  afterImport: async () => undefined,
  // One writer at a time: ids are committed in the order they are taken.
  async appendChange(tx, at, keys, origin) {
    await tx.insert(tables.changeLog).values({ at, keys: [...keys], origin });
  },
  // One writer at a time already.
  serialize: async () => undefined,
};

/** What both SQLite stores (read-write, read-only) share. */
const sqliteParts = {
  backend: 'sqlite',
  tables,
  dialect: sqliteDialect,
  search: sqliteFullTextIndex,
  // Other processes' changes are found by reading the log on a timer (CHANGE_POLL_MS).
  watchChanges: undefined,
} as const;

/** Writes sharing one COMMIT at most; bounds how long the first of them waits. */
const maxGroupSize = 64;

export interface SqliteStoreOptions {
  path: string;
  /**
   * FULL fsyncs the WAL on every commit (survives power loss); NORMAL only at checkpoints
   * (survives a killed process, not a power cut). See README "Durability".
   */
  synchronous: 'FULL' | 'NORMAL';
  busyTimeoutMs?: number;
  migrationsFolder?: string;
  /** Called with the SQL of every statement Drizzle runs (query logging, statement counting). */
  onQuery?: (sql: string) => void;
}

/** Pragmas are per connection, so they are set on every open, not only at creation. */
function applyPragmas(conn: Database.Database, options: SqliteStoreOptions): void {
  conn.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  if (!conn.readonly) {
    const mode = conn.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new Error(`SQLite refused WAL mode (got ${String(mode)})`);
  }
  conn.pragma(`synchronous = ${options.synchronous}`);
  conn.pragma('foreign_keys = ON');
  // Overwrite deleted and updated-away content with zeros, so erased personal data does not
  // linger in free pages of the file (GDPR erasure).
  conn.pragma('secure_delete = ON');
}

const constraintCodes: Record<string, ConstraintKind> = {
  SQLITE_CONSTRAINT_UNIQUE: 'unique',
  SQLITE_CONSTRAINT_PRIMARYKEY: 'unique',
  SQLITE_CONSTRAINT_FOREIGNKEY: 'foreign_key',
  SQLITE_CONSTRAINT_CHECK: 'check',
  SQLITE_CONSTRAINT_NOTNULL: 'not_null',
};

/** Conditions of the disk or of another process, not of the request: worth a retry later. */
const storageFailure = /^SQLITE_(IOERR|FULL|BUSY|LOCKED|READONLY|CANTOPEN|NOMEM|PROTOCOL)/;

/**
 * Drizzle wraps driver errors in an error whose message carries the bound parameters (emails,
 * token hashes). Replace it with the driver's own message, and constraint failures with a
 * neutral ConstraintError the modules can act on.
 */
function translateError(error: unknown): unknown {
  const driverError = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (driverError instanceof Database.SqliteError) {
    // ON DELETE RESTRICT reports itself as a trigger constraint.
    const kind =
      driverError.code === 'SQLITE_CONSTRAINT_TRIGGER' &&
      driverError.message.includes('FOREIGN KEY')
        ? 'foreign_key'
        : constraintCodes[driverError.code];
    if (kind !== undefined) return new ConstraintError(kind, driverError.message);
    if (storageFailure.test(driverError.code)) {
      return new StorageUnavailableError(driverError.message, { cause: driverError });
    }
    return driverError;
  }
  return error;
}

/** Prepares statements once per connection and turns driver errors into the Store's own. */
function statementCache(connection: Db) {
  const prepared = new Map<string, { all(values?: Record<string, unknown>): unknown }>();
  return function statement<R, P extends Record<string, unknown> = Record<string, unknown>>(
    name: string,
    build: (db: Db) => Preparable<R>,
    // A timeout cannot be enforced here (see StatementOptions).
    _options?: StatementOptions,
  ): (params: P) => Promise<R> {
    let statement = prepared.get(name);
    if (statement === undefined) {
      statement = build(connection).prepare();
      prepared.set(name, statement);
    }
    const ready = statement;
    return async (params: P) => {
      try {
        return ready.all(params) as R;
      } catch (error) {
        throw translateError(error);
      }
    };
  };
}

/**
 * A read-only store over an existing database, for a worker thread with its own connection
 * (search runs off the event loop that serves requests). It never migrates and cannot write.
 */
export function openSqliteReadStore(
  options: Pick<SqliteStoreOptions, 'path' | 'synchronous'>,
): Store {
  const conn = new Database(options.path, { readonly: true, fileMustExist: true });
  applyPragmas(conn, options);
  const reader: Db = drizzle({ client: conn, schema: tables });
  let closed = false;
  return {
    ...sqliteParts,
    file: options.path,
    db: reader,
    write: () => Promise.reject(new Error('This store is read-only')),
    checkpoint: () => Promise.reject(new Error('This store is read-only')),
    statement: statementCache(reader),
    writeStatement: () => () => Promise.reject(new Error('This store is read-only')),
    backup: () => Promise.reject(new Error('This store is read-only')),
    ready: async () => !closed,
    async close() {
      closed = true;
      conn.close();
    },
  };
}

export function openSqliteStore(options: SqliteStoreOptions): Store {
  const migrationsFolder = options.migrationsFolder ?? defaultMigrationsFolder;
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });

  const writerConn = new Database(options.path);
  applyPragmas(writerConn, options);
  applyMigrations(writerConn, migrationsFolder);
  // A log left by a killed process is folded into the database and emptied at every start, so
  // nothing it held (an erased address, if the kill came right after the erasure) outlives it.
  writerConn.pragma('wal_checkpoint(TRUNCATE)');
  const expectedMigrations = shippedMigrationCount(migrationsFolder);

  // A separate read-only connection: reads never wait behind the write queue, and the engine
  // itself refuses a write that slips through `store.db`.
  const readerConn = new Database(options.path, { readonly: true });
  applyPragmas(readerConn, options);

  const onQuery = options.onQuery;
  const logger =
    onQuery === undefined ? undefined : { logQuery: (query: string) => onQuery(query) };
  const writer: Db = drizzle({
    client: writerConn,
    schema: tables,
    ...(logger === undefined ? {} : { logger }),
  });
  const reader: Db = drizzle({
    client: readerConn,
    schema: tables,
    ...(logger === undefined ? {} : { logger }),
  });

  let closed = false;
  const writeStatements = statementCache(writer);

  interface Job {
    fn: (tx: Db) => Promise<unknown>;
    resolve: (value: unknown) => void;
    reject: (error: unknown) => void;
  }
  const queue: Job[] = [];
  let draining: Promise<void> | null = null;

  /**
   * Group commit. Writes queued while the previous commit was being made run one after another
   * inside one transaction, each in a savepoint of its own (a failing one is rolled back alone),
   * and share one COMMIT — one fsync for many writes. Nobody is answered before that COMMIT
   * succeeds; if it fails, every write in the group fails.
   */
  async function runBatch(batch: Job[]): Promise<void> {
    try {
      writerConn.exec('BEGIN IMMEDIATE');
    } catch (error) {
      for (const job of batch) job.reject(translateError(error));
      return;
    }
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    for (const job of batch) {
      try {
        writerConn.exec('SAVEPOINT write');
        const value = await job.fn(writer);
        writerConn.exec('RELEASE write');
        outcomes.push({ ok: true, value });
      } catch (error) {
        outcomes.push({ ok: false, error: translateError(error) });
        if (writerConn.inTransaction) {
          writerConn.exec('ROLLBACK TO write');
          writerConn.exec('RELEASE write');
        }
      }
      // SQLite rolls the whole transaction back by itself after some errors (disk full, I/O
      // error, out of memory): the writes before this one are gone too, so none of the group
      // may be acknowledged, and the rest must not run outside the transaction.
      if (!writerConn.inTransaction) {
        const failure = new StorageUnavailableError(
          'The storage rolled the transaction back; nothing in it was stored.',
        );
        for (const each of batch) each.reject(failure);
        return;
      }
    }
    try {
      // A failed COMMIT (deferred constraint, I/O error, disk full) throws here, so no caller
      // acknowledges a write that was not stored.
      writerConn.exec('COMMIT');
    } catch (error) {
      const failure = translateError(error);
      for (const job of batch) job.reject(failure);
      rollBackQuietly();
      return;
    }
    batch.forEach((job, index) => {
      const outcome = outcomes[index];
      if (outcome?.ok === true) job.resolve(outcome.value);
      else job.reject(outcome?.error);
    });
  }

  /** After a failed COMMIT the rollback itself may fail on a faulty disk; SQLite then recovers
   * the transaction state at the next BEGIN, so the error is not worth more than that. */
  function rollBackQuietly(): void {
    try {
      if (writerConn.inTransaction) writerConn.exec('ROLLBACK');
    } catch {
      // See above.
    }
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      // Let requests that arrived meanwhile queue their writes, so they share the next commit.
      await new Promise((resolve) => setImmediate(resolve));
      const batch = queue.splice(0, maxGroupSize);
      try {
        await runBatch(batch);
      } catch (error) {
        // Only the savepoint bookkeeping can land here (a ROLLBACK TO on a failing disk). Answer
        // everyone with the failure and leave no transaction open for the next group.
        const failure = translateError(error);
        for (const job of batch) job.reject(failure);
        rollBackQuietly();
      }
    }
    draining = null;
  }

  // Set when the disk refused a write (I/O error, disk full); readiness is false until a write
  // succeeds again, so a load balancer stops sending traffic that would only get 503s.
  let writesFailing = false;

  function write<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    if (closed) return Promise.reject(new Error('The store is closed'));
    return new Promise<T>((resolve, reject) => {
      queue.push({
        fn,
        resolve: (value) => {
          writesFailing = false;
          resolve(value as T);
        },
        reject: (error) => {
          if (error instanceof StorageUnavailableError) writesFailing = true;
          reject(error);
        },
      });
      draining ??= drain();
    });
  }

  /** A real write (one row rewritten, committed and synced): does the disk take writes again? */
  async function probeWrite(): Promise<boolean> {
    try {
      await write(async (tx) => {
        await tx.run(
          sql`update "__drizzle_migrations" set "hash" = "hash" where "id" = (select max("id") from "__drizzle_migrations")`,
        );
      });
      return true;
    } catch {
      return false;
    }
  }

  return {
    ...sqliteParts,
    file: options.path === ':memory:' ? undefined : options.path,
    db: reader,

    write,

    statement: statementCache(reader),

    writeStatement<R, P extends Record<string, unknown> = Record<string, unknown>>(
      name: string,
      build: (db: Db) => Preparable<R>,
    ): (tx: Db, params: P) => Promise<R> {
      // Writes run on the one writer connection: a statement prepared there runs inside
      // whichever write is open.
      const run = writeStatements<R, P>(name, build);
      return (_tx: Db, params: P) => run(params);
    },

    async checkpoint(): Promise<void> {
      // Between write groups no transaction is open: wait for the queue to drain, then
      // checkpoint synchronously, before another group can begin.
      while (draining !== null) await draining;
      if (closed) return;
      try {
        const [result] = writerConn.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
        if (result !== undefined && result.busy !== 0)
          throw new StorageUnavailableError('A reader held the write-ahead log; checkpoint later.');
      } catch (error) {
        throw translateError(error);
      }
    },

    async backup(toPath: string): Promise<void> {
      // VACUUM INTO reads one snapshot and writes a compact copy; copying the files of a live
      // WAL database is not safe (RELIABILITY.md rule 5).
      mkdirSync(dirname(toPath), { recursive: true });
      readerConn.prepare('VACUUM INTO ?').run(toPath);
    },

    async ready(): Promise<boolean> {
      if (closed) return false;
      try {
        if (appliedMigrationCount(readerConn) < expectedMigrations) return false;
      } catch {
        return false;
      }
      return !writesFailing || (await probeWrite());
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await draining;
      try {
        writerConn.pragma('optimize');
      } catch {
        // Advisory only; closing matters more.
      }
      readerConn.close();
      writerConn.close();
    },
  };
}
