import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import type { Tables } from './schema.ts';

/**
 * The query surface modules see. Builders are always awaited (never `.get()`/`.all()`), so the
 * same module code can later run over an asynchronous driver.
 */
export type Db = BaseSQLiteDatabase<'sync', unknown, Tables>;

/** Something `statement()` can prepare once: a select builder with placeholders. */
export interface Preparable<R> {
  prepare(): { all(values?: Record<string, unknown>): R };
}

/**
 * The one seam between features and storage (see SPEC "The Store seam"). Modules import this
 * type and `store.tables`, never a driver.
 */
export interface Store {
  readonly tables: Tables;
  /**
   * The SQLite file, for worker threads that open read connections of their own (search);
   * undefined for an in-memory database, which other threads cannot open.
   */
  readonly file: string | undefined;
  /** Reads. Writes through this handle are refused by the engine. */
  readonly db: Db;
  /** Runs `fn` as one write transaction. Resolves only after COMMIT succeeded. */
  write<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /**
   * A read prepared once per process and reused for every call (hot public paths).
   * `build` must use `sql.placeholder(...)` for every parameter.
   */
  statement<R, P extends Record<string, unknown> = Record<string, unknown>>(
    name: string,
    build: (db: Db) => Preparable<R>,
  ): (params: P) => Promise<R>;
  /**
   * Moves everything written so far into the main database file and empties the write-ahead
   * log, so that no file keeps the old content of changed rows (after an erasure).
   */
  checkpoint(): Promise<void>;
  /** Writes a consistent snapshot of the whole database to a new file (online, under load). */
  backup(toPath: string): Promise<void>;
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
