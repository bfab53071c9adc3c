import { eq, sql } from 'drizzle-orm';
import type { Store } from '../../db/store.ts';
import type { Role } from '../../lib/roles.ts';
import { newestFirst } from '../shared/keyset.ts';

export interface TokenRecord {
  id: string;
  name: string;
  role: Role;
  tokenHash: string;
  tokenPrefix: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  createdByTokenId: string | null;
}

export function createTokensRepository(store: Store) {
  const { apiTokens } = store.tables;

  const findByHash = store.statement<TokenRecord[], { hash: string }>('tokens.findByHash', (db) =>
    db
      .select()
      .from(apiTokens)
      .where(eq(apiTokens.tokenHash, sql.placeholder('hash')))
      .limit(1),
  );

  return {
    async findByHash(hash: string): Promise<TokenRecord | undefined> {
      const [row] = await findByHash({ hash });
      return row;
    },

    async insert(record: TokenRecord): Promise<void> {
      await store.write(async (tx) => {
        await tx.insert(apiTokens).values(record);
      });
    },

    async list(options: { limit: number; after: [number, string] | null }) {
      const { below, order, take } = newestFirst(apiTokens.createdAt, apiTokens.id, options);
      const rows = await store.db
        .select()
        .from(apiTokens)
        .where(below)
        .orderBy(...order)
        .limit(take);
      const total = await store.db.$count(apiTokens);
      return { rows, total };
    },

    /** Marks a token revoked (idempotent). Returns false when no such token exists. */
    async revoke(id: string, at: Date): Promise<boolean> {
      return store.write(async (tx) => {
        const updated = await tx
          .update(apiTokens)
          .set({ revokedAt: sql`coalesce(${apiTokens.revokedAt}, ${at.getTime()})` })
          .where(eq(apiTokens.id, id))
          .returning({ id: apiTokens.id });
        return updated.length > 0;
      });
    },

    async touchLastUsed(id: string, at: Date): Promise<void> {
      await store.write(async (tx) => {
        await tx.update(apiTokens).set({ lastUsedAt: at }).where(eq(apiTokens.id, id));
      });
    },
  };
}

export type TokensRepository = ReturnType<typeof createTokensRepository>;
