import { eq, sql } from 'drizzle-orm';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db, Store } from '../src/db/store.ts';
import { ConstraintError } from '../src/db/store.ts';
import { tempDir } from './helpers.ts';

// What every Store promises, whatever the engine: store.test.ts runs it against each.

export interface StoreHarness {
  /** A new store over a new, migrated database. */
  open(): Promise<Store>;
  /** A second store over the same database as `store` (a restart, another instance). */
  reopen(store: Store): Promise<Store>;
  /** Called inside a write: makes its COMMIT fail while every statement before succeeds. */
  failAtCommit(tx: Db): Promise<void>;
  /** Called inside a write: cuts the connection the transaction runs on. */
  cutConnection(tx: Db, store: Store): Promise<void>;
  /** The tag slugs inside a backup file. */
  slugsInBackup(file: string): Promise<string[]>;
}

const at = new Date('2026-11-28T09:00:00.000Z');
const tag = (id: string, slug: string) => ({ id, slug, name: slug, createdAt: at, updatedAt: at });

export function describeStoreContract(name: string, harness: StoreHarness): void {
  describe(`${name} store contract`, () => {
    const opened: Store[] = [];
    const open = async () => {
      const store = await harness.open();
      opened.push(store);
      return store;
    };
    const slugs = async (store: Store) =>
      (await store.db.select({ slug: store.tables.tags.slug }).from(store.tables.tags))
        .map((row) => row.slug)
        .sort();
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
    });

    it('commits a write and makes it visible to readers', async () => {
      const store = await open();
      await store.write(async (tx) => {
        await tx.insert(store.tables.tags).values(tag('tag_1', 'russia'));
      });
      expect(await slugs(store)).toEqual(['russia']);
    });

    it('rolls back everything when the transaction function throws', async () => {
      const store = await open();
      await expect(
        store.write(async (tx) => {
          await tx.insert(store.tables.tags).values(tag('tag_1', 'russia'));
          throw new Error('changed my mind');
        }),
      ).rejects.toThrow('changed my mind');
      expect(await slugs(store)).toEqual([]);
    });

    it('never acknowledges a write whose COMMIT fails, and stays usable', async () => {
      const store = await open();
      const attempt = store.write(async (tx) => {
        await tx.insert(store.tables.tags).values(tag('tag_1', 'doomed'));
        await harness.failAtCommit(tx);
        return 'acknowledged';
      });
      await expect(attempt).rejects.toBeInstanceOf(ConstraintError);
      expect(await slugs(store)).toEqual([]);
      await store.write(async (tx) => {
        await tx.insert(store.tables.tags).values(tag('tag_2', 'after'));
      });
      expect(await slugs(store)).toEqual(['after']);
    });

    it('reports a unique violation as a neutral ConstraintError without the bound values', async () => {
      const store = await open();
      await store.write(async (tx) => {
        await tx.insert(store.tables.tags).values(tag('tag_1', 'secret-value'));
      });
      const attempt = store.write(async (tx) => {
        await tx.insert(store.tables.tags).values(tag('tag_2', 'secret-value'));
      });
      await expect(attempt).rejects.toMatchObject({ kind: 'unique' });
      await attempt.catch((error: Error) => expect(error.message).not.toContain('secret-value'));
    });

    it('reports a missing reference as a foreign_key ConstraintError', async () => {
      const store = await open();
      const attempt = store.write(async (tx) => {
        await tx.insert(store.tables.authors).values({
          id: 'aut_1',
          slug: 'ghost',
          name: 'Ghost',
          photoId: 'pho_missing',
          createdAt: at,
          updatedAt: at,
        });
      });
      await expect(attempt).rejects.toMatchObject({ kind: 'foreign_key' });
    });

    it('refuses writes after close instead of pretending to store them', async () => {
      const store = await open();
      await store.close();
      await expect(
        store.write(async (tx) => {
          await tx.insert(store.tables.tags).values(tag('tag_1', 'late'));
        }),
      ).rejects.toThrow();
      expect(await store.ready()).toBe(false);
    });

    it('fails a write whose connection is cut, with nothing stored, and serves the next', async () => {
      const store = await open();
      const attempt = store.write(async (tx) => {
        await tx.insert(store.tables.tags).values(tag('tag_1', 'cut'));
        await harness.cutConnection(tx, store);
        await tx.insert(store.tables.tags).values(tag('tag_2', 'cut-too'));
        return 'acknowledged';
      });
      await expect(attempt).rejects.toThrow();
      const check = await harness.reopen(store);
      opened.push(check);
      expect(await slugs(check)).toEqual([]);
    });

    it('keeps going after a failed transaction, rolling back only that one', async () => {
      const store = await open();
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
      expect(await slugs(store)).toEqual(['group-1', 'group-2', 'group-4', 'group-5']);
    });

    it('never lets concurrent read-then-write transactions race', async () => {
      const store = await open();
      // Each counts the rows, waits, then writes a row named by the count it saw: a lost
      // update would give two rows the same name (and a unique violation).
      const counted = (id: string) =>
        store.write(async (tx) => {
          const before = await tx.$count(store.tables.tags);
          await new Promise((resolve) => setTimeout(resolve, 20));
          await tx.insert(store.tables.tags).values(tag(`tag_${id}`, `n${before}`));
        });
      await Promise.all(['a', 'b', 'c', 'd'].map(counted));
      expect(await slugs(store)).toEqual(['n0', 'n1', 'n2', 'n3']);
    });

    it('gives readers no way to write', async () => {
      const store = await open();
      await expect(
        store.db.insert(store.tables.tags).values(tag('tag_1', 'sneaky')),
      ).rejects.toThrow();
      expect(await slugs(store)).toEqual([]);
    });

    it('prepares a statement once and reuses it with new parameters', async () => {
      const store = await open();
      await store.write(async (tx) => {
        await tx.insert(store.tables.tags).values([tag('tag_1', 'syria'), tag('tag_2', 'iran')]);
      });
      const bySlug = () =>
        store.statement<Array<{ id: string }>, { slug: string }>('test.bySlug', (db) =>
          db
            .select({ id: store.tables.tags.id })
            .from(store.tables.tags)
            .where(eq(store.tables.tags.slug, sql.placeholder('slug'))),
        );
      expect(await bySlug()({ slug: 'iran' })).toEqual([{ id: 'tag_2' }]);
      expect(await bySlug()({ slug: 'syria' })).toEqual([{ id: 'tag_1' }]);
    });

    it('runs a prepared write statement inside the write it is given, and rolls back with it', async () => {
      const store = await open();
      const { tags } = store.tables;
      const insertTag = store.writeStatement<Array<{ id: string }>, ReturnType<typeof tag>>(
        'test.insertTag',
        (db) =>
          db
            .insert(tags)
            .values({
              id: sql.placeholder('id'),
              slug: sql.placeholder('slug'),
              name: sql.placeholder('name'),
              createdAt: sql.placeholder('createdAt'),
              updatedAt: sql.placeholder('updatedAt'),
            })
            .returning({ id: tags.id }),
      );
      const countTags = store.writeStatement<Array<{ n: number }>>('test.countTags', (db) =>
        db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(tags),
      );
      // Two writes at once, each seeing its own row and not the other's uncommitted one.
      const seen = await Promise.all(
        ['syria', 'iran'].map((slug, index) =>
          store.write(async (tx) => {
            expect(await insertTag(tx, tag(`tag_${index}`, slug))).toEqual([
              { id: `tag_${index}` },
            ]);
            return (await countTags(tx, {}))[0]?.n;
          }),
        ),
      );
      expect(seen[0]).toBeGreaterThanOrEqual(1);
      expect(await slugs(store)).toEqual(['iran', 'syria']);
      await expect(
        store.write(async (tx) => {
          await insertTag(tx, tag('tag_9', 'turkey'));
          expect((await countTags(tx, {}))[0]?.n).toBe(3);
          throw new Error('changed my mind');
        }),
      ).rejects.toThrow('changed my mind');
      expect(await slugs(store)).toEqual(['iran', 'syria']);
    });

    it('keeps committed data across a restart and reports ready', async () => {
      const store = await open();
      await store.write(async (tx) => {
        await tx.insert(store.tables.tags).values(tag('tag_1', 'durable'));
      });
      await store.close();
      const reopened = await harness.reopen(store);
      opened.push(reopened);
      expect(await slugs(reopened)).toEqual(['durable']);
      expect(await reopened.ready()).toBe(true);
    });

    it('writes a consistent backup while it serves', async () => {
      const store = await open();
      await store.write(async (tx) => {
        await tx.insert(store.tables.tags).values(tag('tag_1', 'backed-up'));
      });
      const target = join(tempDir().dir, 'backup');
      await store.backup(target);
      expect(await harness.slugsInBackup(target)).toEqual(['backed-up']);
    });
  });
}
