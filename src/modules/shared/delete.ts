import { eq } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Store } from '../../db/store.ts';

/**
 * Deletes a row that nothing references; false when there was no such row. The foreign keys
 * (ON DELETE RESTRICT) decide what "in use" means, atomically: their refusal is a
 * `ConstraintError` of kind `foreign_key` for the service to explain.
 */
export async function deleteUnreferenced(
  store: Store,
  target: { table: SQLiteTable; id: SQLiteColumn },
  id: string,
): Promise<boolean> {
  const deleted = await store.write((tx) =>
    tx.delete(target.table).where(eq(target.id, id)).returning({ id: target.id }),
  );
  return deleted.length > 0;
}
