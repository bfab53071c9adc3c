import type { AnyColumn, SQL } from 'drizzle-orm';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import type { Tables } from './schema.ts';
import type { FullTextIndex } from './search.ts';

/**
 * The query surface modules see, written once for both backends. It is typed with the SQLite
 * builders; on PostgreSQL the store hands out a pg-core database over tables with the same names,
 * columns and row types (test/schema-parity.test.ts), so every builder call modules make means
 * the same on both. Builders are always awaited (never `.get()`/`.all()`/`.run()`, which only
 * SQLite has; eslint.config.js forbids them outside src/db/).
 */
export type Db = BaseSQLiteDatabase<'sync', unknown, Tables>;

export type Backend = 'sqlite' | 'postgres';

export interface StatementOptions {
  /**
   * The most time one run may take on the database server before it is cancelled (a
   * StorageUnavailableError). PostgreSQL enforces it; on SQLite a query cannot be interrupted
   * from JavaScript, so work that needs a bound runs on a thread that can be stopped instead
   * (workers/search-pool.ts).
   */
  timeoutMs?: number;
}

/** The few SQL fragments whose spelling differs between the backends. */
export interface Dialect {
  /** `column` is one of the strings in the JSON array bound as placeholder `param`. */
  inJsonArray(column: AnyColumn, param: string): SQL;
  /** `YYYY-MM` (UTC) of a timestamp column (milliseconds since the epoch on both backends). */
  yearMonth(column: AnyColumn): SQL<string>;
  /**
   * The search row id of a new article, as the value of its insert: one more than the largest
   * on SQLite (one writer at a time), a sequence on PostgreSQL (concurrent writers would all
   * read the same largest and conflict).
   */
  readonly nextSearchRowId: SQL;
  /** After rows were loaded with their ids (cms import): sequences continue after them. */
  afterImport(tx: Db): Promise<void>;
  /**
   * Appends one row to the change log inside the write `tx`. Readers of the log move their
   * position past every id they see, so ids must become visible in order: SQLite's one writer
   * does that by itself; on PostgreSQL concurrent transactions take ids from a sequence and may
   * commit in another order, so the append first waits for a transaction-scoped lock (held to
   * COMMIT) and queues a NOTIFY that wakes the other instances' feeds at commit, all in the
   * insert's one round trip.
   */
  appendChange(tx: Db, at: Date, keys: readonly string[], origin: string): Promise<void>;
  /**
   * From here to COMMIT, writes naming any of the same `resources` run one after another, and
   * what this write reads next includes what the one before it committed. A no-op on SQLite,
   * where every write runs alone; on PostgreSQL, transaction-scoped advisory locks taken in a
   * fixed order (so two writes naming the same resources cannot deadlock).
   */
  serialize(tx: Db, resources: readonly string[]): Promise<void>;
}

/** Something `statement()` can prepare once: a select builder with placeholders. */
export interface Preparable<R> {
  prepare(): { all(values?: Record<string, unknown>): R };
}

/**
 * The one seam between features and storage (see SPEC "The Store seam"). Modules import this
 * type and `store.tables`, never a driver.
 */
export interface Store {
  readonly backend: Backend;
  readonly tables: Tables;
  readonly dialect: Dialect;
  /** Full-text search over articles, in the backend's own engine. */
  readonly search: FullTextIndex;
  /**
   * The SQLite file, for worker threads that open read connections of their own (search);
   * undefined for an in-memory database, which other threads cannot open, and on PostgreSQL,
   * where a search waits on the server, not on this process's event loop.
   */
  readonly file: string | undefined;
  /** Reads. Writes through this handle are refused by the engine. */
  readonly db: Db;
  /**
   * Runs `fn` as one write transaction. Resolves only after COMMIT succeeded. `fn` may run more
   * than once (PostgreSQL retries a transaction that lost a serialization conflict), so it must
   * have no effect outside the transaction.
   */
  write<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /**
   * A read prepared once per process and reused for every call (hot public paths).
   * `build` must use `sql.placeholder(...)` for every parameter.
   */
  statement<R, P extends Record<string, unknown> = Record<string, unknown>>(
    name: string,
    build: (db: Db) => Preparable<R>,
    options?: StatementOptions,
  ): (params: P) => Promise<R>;
  /**
   * A statement of the write path (a save's reads, inserts and updates with RETURNING),
   * prepared once per process and run inside the write `tx` it is given. Building a query costs
   * more CPU than PostgreSQL takes to answer it; an article save runs a dozen.
   * `build` must use `sql.placeholder(...)` for every parameter.
   */
  writeStatement<R, P extends Record<string, unknown> = Record<string, unknown>>(
    name: string,
    build: (db: Db) => Preparable<R>,
  ): (tx: Db, params: P) => Promise<R>;
  /**
   * Makes the storage drop the old content of changed rows (after an erasure): on SQLite, moves
   * everything into the main file and empties the write-ahead log; on PostgreSQL, vacuums the
   * tables that hold personal data.
   */
  checkpoint(): Promise<void>;
  /**
   * Writes a consistent snapshot of the whole database to a new file (online, under load): a
   * SQLite database file, or a `pg_dump` archive on PostgreSQL.
   */
  backup(toPath: string): Promise<void>;
  /**
   * Calls `wake` soon after another process commits a change-log row, where the database can say
   * so (PostgreSQL LISTEN/NOTIFY); the log itself stays the truth, read on a timer as well.
   * Undefined where it cannot. Resolves with a function that stops listening.
   */
  readonly watchChanges: ((wake: () => void) => Promise<() => Promise<void>>) | undefined;
  /** Health probe: the database answers and every migration shipped with the code is applied. */
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

export type ConstraintKind = 'unique' | 'foreign_key' | 'check' | 'not_null';

/** A storage constraint rejected a write. Engine-neutral so modules can react without a driver. */
export class ConstraintError extends Error {
  constructor(
    readonly kind: ConstraintKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ConstraintError';
  }
}

/**
 * The storage could not complete the operation (I/O error, disk full, locked by another
 * process). The write was not acknowledged; it is safe to retry once storage recovers.
 */
export class StorageUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageUnavailableError';
  }
}
