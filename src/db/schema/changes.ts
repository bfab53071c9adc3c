import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { timestamp } from './columns.ts';

/**
 * The change log: one row per committed content change, written in the same transaction as the
 * change, naming the typed content keys it touched (modules/shared/content-keys.ts). Every
 * process over the database tails it to drop what its response cache holds for those keys; the
 * id only grows (AUTOINCREMENT never reuses one), so a reader's position is one number.
 * `origin` names the process that wrote it: that process told its own cache at commit already.
 */
export const changeLog = sqliteTable(
  'change_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: timestamp('at').notNull(),
    keys: text('keys', { mode: 'json' }).$type<string[]>().notNull(),
    origin: text('origin'),
  },
  (table) => [index('change_log_at_idx').on(table.at)],
);
