import { openPostgresStore } from '../src/db/postgres.ts';
import { openSqliteStore } from '../src/db/sqlite.ts';
import { exportData, importData } from '../src/db/transfer.ts';
import { adminQuery, type Cluster, databaseUrl, startCluster } from '../test/postgres/cluster.ts';

/**
 * A throwaway PostgreSQL server holding a generated dataset (bench/dataset.ts): started durable
 * (fsync on, as production runs it), on `cpus` when given, and loaded through `cms import`'s
 * code from the SQLite file. The benchmark and the stress tier's soak run over it.
 */
export async function postgresCopy(
  sqlitePath: string,
  options: { cpus?: string } = {},
): Promise<{ cluster: Cluster; url: string }> {
  process.stderr.write('Starting PostgreSQL and loading the dataset into it…\n');
  const cluster = await startCluster({
    durable: true,
    ...(options.cpus === undefined ? {} : { cpus: options.cpus }),
  });
  await adminQuery(cluster.url, 'create database bench');
  const url = databaseUrl(cluster.url, 'bench');
  const source = openSqliteStore({ path: sqlitePath, synchronous: 'NORMAL' });
  const lines: string[] = [];
  await exportData(source, async (line) => {
    lines.push(line);
  });
  await source.close();
  const target = await openPostgresStore({
    url,
    poolSize: 2,
    statementTimeoutMs: 3_600_000,
    ssl: 'disable',
  });
  await importData(target, async function* () {
    yield* lines;
  });
  await target.close();
  // Fresh statistics, as autovacuum would gather them soon after a bulk load.
  await adminQuery(url, 'vacuum analyze');
  return { cluster, url };
}
