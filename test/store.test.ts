import Database from 'better-sqlite3';
import { eq, sql } from 'drizzle-orm';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../src/db/sqlite.ts';
import type { Store } from '../src/db/store.ts';
import { ConstraintError, StorageUnavailableError } from '../src/db/store.ts';
import { tempDir } from './helpers.ts';

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

  it('commits a write and makes it visible to the reader connection', async () => {
    const { store } = openStore();
    await store.write(async (tx) => {
      await tx.insert(store.tables.tags).values(tag('tag_1', 'russia'));
    });
    const rows = await store.db.select().from(store.tables.tags);
    expect(rows.map((row) => row.slug)).toEqual(['russia']);
  });

  it('rolls back everything when the transaction function throws', async () => {
    const { store } = openStore();
    await expect(
      store.write(async (tx) => {
        await tx.insert(store.tables.tags).values(tag('tag_1', 'russia'));
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await store.db.$count(store.tables.tags)).toBe(0);
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

  it('reports unique violations as a neutral ConstraintError without bound values in the message', async () => {
    const { store } = openStore();
    await store.write(async (tx) => {
      await tx.insert(store.tables.tags).values(tag('tag_1', 'secret-value'));
    });
    const attempt = store.write(async (tx) => {
      await tx.insert(store.tables.tags).values(tag('tag_2', 'secret-value'));
    });
    await expect(attempt).rejects.toMatchObject({ kind: 'unique' });
    await attempt.catch((error: Error) => expect(error.message).not.toContain('secret-value'));
  });

  it('refuses writes after close instead of pretending to store them', async () => {
    const { store } = openStore();
    await store.close();
    await expect(
      store.write(async (tx) => {
        await tx.insert(store.tables.tags).values(tag('tag_1', 'late'));
      }),
    ).rejects.toThrow();
  });

  it('fails a write whose connection is gone, with nothing stored', async () => {
    const { store, path } = openStore();
    const attempt = store.write(async (tx) => {
      await tx.insert(store.tables.tags).values(tag('tag_1', 'x'));
      // Simulate the writer dying mid-transaction: the underlying handle is closed.
      (tx as unknown as { $client: Database.Database }).$client.close();
      return 'acknowledged';
    });
    await expect(attempt).rejects.toThrow();
    const check = new Database(path, { readonly: true });
    expect((check.prepare('SELECT count(*) AS n FROM tags').get() as { n: number }).n).toBe(0);
    check.close();
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

  it('keeps going after a failed transaction in the queue', async () => {
    const { store } = openStore();
    const results = await Promise.allSettled([
      store.write(async () => {
        throw new Error('first fails');
      }),
      store.write(async (tx) => {
        await tx.insert(store.tables.tags).values(tag('tag_1', 'second'));
        return 'ok';
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
  });

  it('commits concurrent writes together, rolling back only the one that failed', async () => {
    const { store } = openStore();
    const results = await Promise.allSettled(
      [1, 2, 3, 4, 5].map((n) =>
        store.write(async (tx) => {
          await tx.insert(store.tables.tags).values(tag(`tag_${n}`, `group-${n}`));
          if (n === 3) throw new Error('third fails after writing');
          return n;
        }),
      ),
    );
    expect(results.map((result) => result.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    const slugs = (await store.db.select({ slug: store.tables.tags.slug }).from(store.tables.tags))
      .map((row) => row.slug)
      .sort();
    expect(slugs).toEqual(['group-1', 'group-2', 'group-4', 'group-5']);
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

  it('gives the reader connection no way to write', async () => {
    const { store } = openStore();
    await expect(store.db.insert(store.tables.tags).values(tag('tag_1', 'sneaky'))).rejects.toThrow(
      /readonly/i,
    );
  });

  it('prepares a statement once and reuses it with new parameters', async () => {
    const { store } = openStore();
    await store.write(async (tx) => {
      await tx.insert(store.tables.tags).values([tag('tag_1', 'syria'), tag('tag_2', 'iran')]);
    });
    const bySlug = (s: Store) =>
      s.statement<Array<{ id: string }>, { slug: string }>('test.bySlug', (db) =>
        db
          .select({ id: s.tables.tags.id })
          .from(s.tables.tags)
          .where(eq(s.tables.tags.slug, sql.placeholder('slug'))),
      );
    expect(await bySlug(store)({ slug: 'iran' })).toEqual([{ id: 'tag_2' }]);
    expect(await bySlug(store)({ slug: 'syria' })).toEqual([{ id: 'tag_1' }]);
  });

  it('keeps committed data across a restart', async () => {
    const { store, path } = openStore();
    await store.write(async (tx) => {
      await tx.insert(store.tables.tags).values(tag('tag_1', 'durable'));
    });
    await store.close();
    const reopened = openSqliteStore({ path, synchronous: 'FULL' });
    opened.push({ store: reopened, remove: () => undefined });
    expect((await reopened.db.select().from(reopened.tables.tags)).map((r) => r.slug)).toEqual([
      'durable',
    ]);
    expect(await reopened.ready()).toBe(true);
  });

  it('writes a consistent backup with VACUUM INTO', async () => {
    const { store } = openStore();
    await store.write(async (tx) => {
      await tx.insert(store.tables.tags).values(tag('tag_1', 'backed-up'));
    });
    const target = join(tempDir().dir, 'backup.db');
    await store.backup(target);
    const copy = new Database(target, { readonly: true });
    expect(copy.prepare('SELECT slug FROM tags').all()).toEqual([{ slug: 'backed-up' }]);
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    copy.close();
  });
});
