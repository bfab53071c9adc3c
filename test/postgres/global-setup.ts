import { openPostgresStore } from '../../src/db/postgres.ts';
import { adminQuery, databaseUrl, startCluster } from './cluster.ts';

// `npm run test:pg`: one throwaway server for the whole run and a template database migrated
// once; every test app gets a database of its own cloned from it (test/helpers.ts). Set
// TEST_POSTGRES_URL (a superuser URL) to use a server that is already running instead.

export const templateDatabase = 'broadsheet_template';

export default async function setup(): Promise<() => Promise<void>> {
  const external = process.env.TEST_POSTGRES_URL;
  const cluster = external === undefined ? await startCluster() : undefined;
  const adminUrl = external ?? cluster?.url ?? '';
  await adminQuery(adminUrl, `drop database if exists ${templateDatabase} with (force)`);
  await adminQuery(adminUrl, `create database ${templateDatabase}`);
  const store = await openPostgresStore({
    url: databaseUrl(adminUrl, templateDatabase),
    poolSize: 1,
    statementTimeoutMs: 60_000,
    ssl: 'disable',
  });
  await store.close();
  // Test workers start after this and inherit the environment.
  process.env.TEST_POSTGRES_URL = adminUrl;
  process.env.TEST_BACKEND = 'postgres';
  return async () => {
    await cluster?.stop();
  };
}
