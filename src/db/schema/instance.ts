import { sqliteTable, text } from 'drizzle-orm/sqlite-core';

// Secrets generated once per installation (signing keys, salts).

export const instanceSecrets = sqliteTable('instance_secrets', {
  name: text('name').primaryKey(),
  value: text('value').notNull(),
});
