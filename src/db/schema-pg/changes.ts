import { bigint, index, json, pgTable, text } from 'drizzle-orm/pg-core';
import { timestamp } from './columns.ts';

/**
 * The change log: one row per committed content change, written in the same transaction as the
 * change, naming the typed content keys it touched (modules/shared/content-keys.ts). Every
 * process over the database tails it to drop what its response cache holds for those keys; the
 * id only grows (an identity never reuses one), so a reader's position is one number.
 * `origin` names the process that wrote it: that process told its own cache at commit already.
 */
export const changeLog = pgTable(
  'change_log',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp('at').notNull(),
    keys: json('keys').$type<string[]>().notNull(),
    origin: text('origin'),
  },
  (table) => [index('change_log_at_idx').on(table.at)],
);
