import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Store } from '../../db/store.ts';

export interface InstanceSecrets {
  /** Signs unsubscribe links (HMAC-SHA256). */
  tokenKey: Buffer;
  /** Salts the hash of client addresses in the consent ledger. */
  ipSalt: Buffer;
}

const names = ['token-key', 'ip-salt', 'preview-key'] as const;

type SecretName = (typeof names)[number];

const newSecret = () => randomBytes(32).toString('hex');

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
      .values(names.map((name) => ({ name, value: newSecret() })))
      .onConflictDoNothing();
    return tx.select().from(instanceSecrets);
  });
  const value = (name: SecretName) => {
    const row = rows.find((candidate) => candidate.name === name);
    if (row === undefined) throw new Error(`instance secret ${name} is missing`);
    return Buffer.from(row.value, 'hex');
  };
  return { tokenKey: value('token-key'), ipSalt: value('ip-salt') };
}

/**
 * A secret as it stands in the database now. Read per use by secrets that can be rotated, so a
 * rotation in one process holds in every other at once.
 */
export async function readInstanceSecret(store: Store, name: SecretName): Promise<Buffer> {
  const { instanceSecrets } = store.tables;
  const [row] = await store.db
    .select({ value: instanceSecrets.value })
    .from(instanceSecrets)
    .where(eq(instanceSecrets.name, name));
  if (row === undefined) throw new Error(`instance secret ${name} is missing`);
  return Buffer.from(row.value, 'hex');
}

/** Replaces a secret with a new random one: whatever the old one signed stops verifying. */
export async function rotateInstanceSecret(store: Store, name: SecretName): Promise<void> {
  const { instanceSecrets } = store.tables;
  const value = newSecret();
  await store.write((tx) =>
    tx
      .insert(instanceSecrets)
      .values({ name, value })
      .onConflictDoUpdate({ target: instanceSecrets.name, set: { value } }),
  );
}
