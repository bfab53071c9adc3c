import { randomBytes } from 'node:crypto';
import type { Store } from '../../db/store.ts';

export interface InstanceSecrets {
  /** Signs unsubscribe links (HMAC-SHA256). */
  tokenKey: Buffer;
  /** Salts the hash of client addresses in the consent ledger. */
  ipSalt: Buffer;
}

const names = ['token-key', 'ip-salt'] as const;

/**
 * Generated on the first start and kept in the database, so every installation has its own and
 * nothing secret needs a default in configuration. Backups carry them along with the data they
 * protect.
 */
export async function loadInstanceSecrets(store: Store): Promise<InstanceSecrets> {
  const { instanceSecrets } = store.tables;
  const rows = await store.write(async (tx) => {
    await tx
      .insert(instanceSecrets)
      .values(names.map((name) => ({ name, value: randomBytes(32).toString('hex') })))
      .onConflictDoNothing();
    return tx.select().from(instanceSecrets);
  });
  const value = (name: (typeof names)[number]) => {
    const row = rows.find((candidate) => candidate.name === name);
    if (row === undefined) throw new Error(`instance secret ${name} is missing`);
    return Buffer.from(row.value, 'hex');
  };
  return { tokenKey: value('token-key'), ipSalt: value('ip-salt') };
}
