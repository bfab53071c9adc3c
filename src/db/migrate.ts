import type Database from 'better-sqlite3';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { fileURLToPath } from 'node:url';

/** The committed drizzle-kit migrations, beside `src/` (and `dist/`) at the project root. */
export const defaultMigrationsFolder = fileURLToPath(
  new URL('../../migrations/sqlite', import.meta.url),
);
export const postgresMigrationsFolder = fileURLToPath(
  new URL('../../migrations/postgres', import.meta.url),
);

const journalTable = '__drizzle_migrations';

export function shippedMigrationCount(migrationsFolder: string): number {
  return readMigrationFiles({ migrationsFolder }).length;
}

/**
 * Applies pending drizzle-kit migrations in one `BEGIN IMMEDIATE` transaction.
 *
 * Drizzle's own migrator opens a deferred transaction, which fails with SQLITE_BUSY when another
 * process (a running server, the CLI) writes at the same moment; and it runs with foreign keys
 * enforced, so drizzle-kit's table rebuilds would cascade. This follows SQLite's documented
 * procedure for schema changes instead: foreign keys off, change, `foreign_key_check`, commit.
 * The journal table is drizzle's, so drizzle-kit tooling keeps understanding the database.
 */
export function applyMigrations(conn: Database.Database, migrationsFolder: string): number {
  const migrations = readMigrationFiles({ migrationsFolder });
  conn.pragma('foreign_keys = OFF');
  conn.exec('BEGIN IMMEDIATE');
  try {
    conn.exec(
      `CREATE TABLE IF NOT EXISTS "${journalTable}" (id INTEGER PRIMARY KEY AUTOINCREMENT, hash text NOT NULL, created_at numeric)`,
    );
    const last = conn
      .prepare(
        `SELECT created_at AS createdAt FROM "${journalTable}" ORDER BY created_at DESC LIMIT 1`,
      )
      .get() as { createdAt: number | string } | undefined;
    const lastApplied = last === undefined ? -1 : Number(last.createdAt);
    const record = conn.prepare(`INSERT INTO "${journalTable}" (hash, created_at) VALUES (?, ?)`);
    let applied = 0;
    for (const migration of migrations) {
      if (migration.folderMillis <= lastApplied) continue;
      for (const statement of migration.sql) {
        if (statement.trim() !== '') conn.exec(statement);
      }
      record.run(migration.hash, migration.folderMillis);
      applied += 1;
    }
    // Only after a change: on a large database the check reads every referencing row, which
    // would otherwise cost seconds at every start.
    const violations = applied > 0 ? (conn.pragma('foreign_key_check') as unknown[]) : [];
    if (violations.length > 0) {
      throw new Error(`Migration left ${violations.length} foreign key violation(s); rolled back`);
    }
    conn.exec('COMMIT');
    return applied;
  } catch (error) {
    if (conn.inTransaction) conn.exec('ROLLBACK');
    throw error;
  } finally {
    conn.pragma('foreign_keys = ON');
  }
}

export function appliedMigrationCount(conn: Database.Database): number {
  const exists = conn
    .prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`)
    .get(journalTable);
  if (exists === undefined) return 0;
  const row = conn.prepare(`SELECT count(*) AS n FROM "${journalTable}"`).get() as { n: number };
  return row.n;
}
