import Database from 'better-sqlite3';
import { type SQL, sql } from 'drizzle-orm';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../src/db/sqlite.ts';
import type { Store } from '../src/db/store.ts';
import { ConstraintError, StorageUnavailableError } from '../src/db/store.ts';
import { freshDatabase, onPostgres, openTestStore, type TestDatabase, tempDir } from './helpers.ts';
import { freePort } from './postgres/cluster.ts';
import { describeStoreContract } from './store-contract.ts';

const at = new Date('2026-11-28T09:00:00.000Z');
const opened: Array<{ store: Store; remove: () => void }> = [];

function openStore(synchronous: 'FULL' | 'NORMAL' = 'FULL') {
  const temp = tempDir();
  const path = join(temp.dir, 'store.db');
  const store = openSqliteStore({ path, synchronous });
  opened.push({ store, remove: temp.remove });
  return { store, path };
}

const tag = (id: string, slug: string) => ({ id, slug, name: slug, createdAt: at, updatedAt: at });

afterEach(async () => {
  for (const { store, remove } of opened.splice(0)) {
    await store.close();
    remove();
  }
});

const databases = new Map<Store, TestDatabase>();
const sqliteFiles = new Map<Store, string>();

describeStoreContract('SQLite', {
  async open() {
    const { store, path } = openStore();
    sqliteFiles.set(store, path);
    return store;
  },
  async reopen(store) {
    const path = sqliteFiles.get(store) ?? '';
    const reopened = openSqliteStore({ path, synchronous: 'FULL' });
    sqliteFiles.set(reopened, path);
    return reopened;
  },
  async failAtCommit(tx) {
    // Deferred: the violation is only detected by COMMIT itself.
    await tx.run(sql`PRAGMA defer_foreign_keys = ON`);
    await tx.run(
      sql`insert into authors (id, slug, name, photo_id, links, created_at, updated_at) values ('aut_x', 'x', 'X', 'pho_missing', '[]', 0, 0)`,
    );
  },
  async cutConnection(tx) {
    // The writer dies mid-transaction: its handle is closed under it.
    (tx as unknown as { $client: Database.Database }).$client.close();
  },
  async slugsInBackup(file) {
    const copy = new Database(file, { readonly: true });
    try {
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      return (copy.prepare('SELECT slug FROM tags').all() as Array<{ slug: string }>).map(
        (row) => row.slug,
      );
    } finally {
      copy.close();
    }
  },
});

describe.runIf(onPostgres)('PostgreSQL', () => {
  describeStoreContract('PostgreSQL', {
    async open() {
      const database = await freshDatabase();
      const store = await openTestStore(database);
      databases.set(store, database);
      return store;
    },
    async reopen(store) {
      const database = databases.get(store);
      if (database === undefined) throw new Error('not opened by this harness');
      const reopened = await openTestStore(database);
      databases.set(reopened, database);
      return reopened;
    },
    async failAtCommit(tx) {
      // A deferred constraint trigger: checked by COMMIT itself, and it fails there.
      const run = (statement: string) =>
        (tx as unknown as { execute(query: SQL): Promise<unknown> }).execute(sql.raw(statement));
      await run('create temp table commit_check (id int) on commit drop');
      await run(
        `create function pg_temp.refuse() returns trigger language plpgsql as $$ begin raise foreign_key_violation using message = 'refused at commit'; end $$`,
      );
      await run(
        'create constraint trigger refuse_at_commit after insert on commit_check deferrable initially deferred for each row execute function pg_temp.refuse()',
      );
      await run('insert into commit_check values (1)');
    },
    async cutConnection(tx) {
      await (tx as unknown as { execute(query: SQL): Promise<unknown> })
        .execute(sql`select pg_terminate_backend(pg_backend_pid())`)
        .catch(() => undefined);
    },
    async slugsInBackup(file) {
      const restored = execFileSync(
        'pg_restore',
        ['--data-only', '--table=tags', '--file=-', file],
        {
          encoding: 'utf8',
        },
      );
      const rows = restored.split('\n').filter((line) => line.startsWith('tag_'));
      return rows.map((line) => line.split('\t')[1] ?? '');
    },
  });

  it('cancels a statement past its time budget on the server, and serves the next', async () => {
    const database = await freshDatabase();
    const store = await openTestStore(database);
    try {
      const at = new Date();
      await store.write(async (tx) => {
        await tx
          .insert(store.tables.tags)
          .values({ id: 'tag_1', slug: 'one', name: 'One', createdAt: at, updatedAt: at });
      });
      const sleep = store.statement<unknown[], { seconds: number }>(
        'test.sleep',
        (db) =>
          db
            .select({ slept: sql`pg_sleep(${sql.placeholder('seconds')}::float)::text` })
            .from(store.tables.tags),
        { timeoutMs: 100 },
      );
      const started = Date.now();
      await expect(sleep({ seconds: 5 })).rejects.toBeInstanceOf(StorageUnavailableError);
      expect(Date.now() - started).toBeLessThan(4000);
      expect(await sleep({ seconds: 0 })).toHaveLength(1);
    } finally {
      await store.close();
      await database.remove();
    }
  });

  it('answers StorageUnavailableError when the server cannot be reached', async () => {
    const port = await freePort();
    await expect(
      openTestStore({
        config: { databaseUrl: `postgres://postgres@127.0.0.1:${port}/none`, databasePath: '' },
        env: {},
        remove: async () => undefined,
      }),
    ).rejects.toBeInstanceOf(StorageUnavailableError);
  });
});

describe('SQLite store', () => {
  it('sets the pragmas on every connection it opens, including reopening an existing file', async () => {
    const { store, path } = openStore('NORMAL');
    await store.close();
    const reopened = openSqliteStore({ path, synchronous: 'FULL' });
    opened.push({ store: reopened, remove: () => undefined });
    const pragma = async (name: string) => {
      const rows = await reopened.db.all<Record<string, unknown>>(sql.raw(`PRAGMA ${name}`));
      return Object.values(rows[0] ?? {})[0];
    };
    expect(await pragma('journal_mode')).toBe('wal');
    expect(await pragma('foreign_keys')).toBe(1);
    expect(await pragma('synchronous')).toBe(2); // FULL
    expect(Number(await pragma('busy_timeout'))).toBeGreaterThan(0);
  });

  it('never acknowledges a write whose COMMIT fails (deferred foreign key)', async () => {
    const { store } = openStore();
    const attempt = store.write(async (tx) => {
      // Deferred: the violation is only detected by COMMIT itself.
      await tx.run(sql`PRAGMA defer_foreign_keys = ON`);
      await tx.insert(store.tables.authors).values({
        id: 'aut_1',
        slug: 'ghost',
        name: 'Ghost',
        photoId: 'pho_missing',
        createdAt: at,
        updatedAt: at,
      });
      return 'acknowledged';
    });
    await expect(attempt).rejects.toBeInstanceOf(ConstraintError);
    await expect(attempt).rejects.toMatchObject({ kind: 'foreign_key' });
    expect(await store.db.$count(store.tables.authors)).toBe(0);
    // The writer is usable again afterwards: the failed transaction was rolled back.
    await store.write(async (tx) => {
      await tx.insert(store.tables.tags).values(tag('tag_1', 'after'));
    });
    expect(await store.db.$count(store.tables.tags)).toBe(1);
  });

  it('runs concurrent write transactions one after another, never interleaved', async () => {
    const { store } = openStore();
    const events: string[] = [];
    const slow = (name: string) =>
      store.write(async (tx) => {
        events.push(`${name}:begin`);
        const before = await tx.$count(store.tables.tags);
        await new Promise((resolve) => setTimeout(resolve, 20));
        await tx.insert(store.tables.tags).values(tag(`tag_${name}`, `n${before}`));
        events.push(`${name}:end`);
      });
    await Promise.all([slow('a'), slow('b'), slow('c')]);
    expect(events).toEqual(['a:begin', 'a:end', 'b:begin', 'b:end', 'c:begin', 'c:end']);
    // Each saw the previous one's row: read-then-write never raced.
    const slugs = (
      await store.db.select({ slug: store.tables.tags.slug }).from(store.tables.tags)
    ).map((r) => r.slug);
    expect(slugs.sort()).toEqual(['n0', 'n1', 'n2']);
  });

  it('acknowledges none of a group that SQLite rolled back by itself, and stores none of it', async () => {
    const { store } = openStore();
    // SQLITE_FULL and I/O errors make SQLite roll back the whole transaction on its own; a
    // ROLLBACK from inside the third write reproduces that state without a faulty disk.
    const results = await Promise.allSettled(
      [1, 2, 3, 4, 5].map((n) =>
        store.write(async (tx) => {
          await tx.insert(store.tables.tags).values(tag(`tag_${n}`, `rolled-${n}`));
          if (n === 3) tx.run(sql`ROLLBACK`);
          return n;
        }),
      ),
    );
    expect(results.map((result) => result.status)).toEqual(Array(5).fill('rejected'));
    for (const result of results) {
      if (result.status === 'rejected') {
        expect(result.reason).toBeInstanceOf(StorageUnavailableError);
      }
    }
    expect(await store.db.select().from(store.tables.tags)).toEqual([]);
    // The queue carries on with a fresh transaction.
    await store.write(async (tx) => tx.insert(store.tables.tags).values(tag('tag_after', 'after')));
    expect(await store.db.select({ slug: store.tables.tags.slug }).from(store.tables.tags)).toEqual(
      [{ slug: 'after' }],
    );
  });

  it('reports disk and lock failures as StorageUnavailableError (answered 503, not 500)', async () => {
    const { store, path } = openStore();
    const fast = openSqliteStore({ path, synchronous: 'FULL', busyTimeoutMs: 10 });
    opened.push({ store: fast, remove: () => undefined });
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    try {
      await expect(
        fast.write(async (tx) => tx.insert(store.tables.tags).values(tag('tag_busy', 'busy'))),
      ).rejects.toBeInstanceOf(StorageUnavailableError);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
  });
});
