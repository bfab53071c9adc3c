import { pgTable, text } from 'drizzle-orm/pg-core';

// Secrets generated once per installation (signing keys, salts).

export const instanceSecrets = pgTable('instance_secrets', {
  name: text('name').primaryKey(),
  value: text('value').notNull(),
});
