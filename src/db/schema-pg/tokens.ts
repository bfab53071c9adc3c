import { index, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { timestamp } from './columns.ts';

// API tokens: only a hash of each secret is stored.

export const apiTokens = pgTable(
  'api_tokens',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    role: text('role', { enum: ['writer', 'editor', 'admin'] }).notNull(),
    // SHA-256 of the whole token; the token itself is never stored.
    tokenHash: text('token_hash').notNull(),
    // The first characters of the token, so a human can tell tokens apart in a list.
    tokenPrefix: text('token_prefix').notNull(),
    createdAt: timestamp('created_at').notNull(),
    expiresAt: timestamp('expires_at'),
    lastUsedAt: timestamp('last_used_at'),
    revokedAt: timestamp('revoked_at'),
    createdByTokenId: text('created_by_token_id'),
  },
  (table) => [
    uniqueIndex('api_tokens_token_hash_unique').on(table.tokenHash),
    index('api_tokens_created_at_idx').on(table.createdAt, table.id),
  ],
);
