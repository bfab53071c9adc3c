import { eq } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { ConstraintError, type Store } from '../../db/store.ts';
import { conflict, notFound } from '../../errors.ts';

/**
 * Deletes a row that nothing references. The foreign keys (ON DELETE RESTRICT) decide what "in
 * use" means, atomically; their refusal becomes a 409 explaining what to do instead.
 */
export async function deleteUnreferenced(
  store: Store,
  target: { table: SQLiteTable; id: SQLiteColumn },
  id: string,
  messages: { notFound: string; inUse: string },
): Promise<void> {
  try {
    const deleted = await store.write((tx) =>
      tx.delete(target.table).where(eq(target.id, id)).returning({ id: target.id }),
    );
    if (deleted.length === 0) throw notFound(messages.notFound);
  } catch (error) {
    if (error instanceof ConstraintError && error.kind === 'foreign_key')
      throw conflict(messages.inUse);
    throw error;
  }
}
