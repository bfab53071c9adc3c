import { defineConfig } from 'drizzle-kit';

// The PostgreSQL migrations: `npx drizzle-kit generate --config drizzle.postgres.config.ts`.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema-pg.ts',
  out: './migrations/postgres',
  // Migrations are generated from the schema and committed; nothing here connects to a database.
});
