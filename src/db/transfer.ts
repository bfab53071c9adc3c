import { asc, count, getTableColumns, type Table } from 'drizzle-orm';
import { getTableConfig } from 'drizzle-orm/sqlite-core';
import { renderMarkdown } from '../lib/markdown.ts';
import { type Tables, tables as sqliteTables } from './schema.ts';
import type { Store } from './store.ts';

// `cms export` / `cms import`: every stored record as NDJSON, one line per row, the same on both
// backends, so a newsroom moves from SQLite to PostgreSQL (or back) with two commands. What is
// derived is not carried and is made again on import: the full-text index (from the articles),
// the public documents (rendered by the next start or at the end of the import), and the change
// log (it describes one database's history).

export const exportFormat = 'broadsheet-export';
export const exportVersion = 1;

/** Parents before children, so every foreign key is satisfied as rows arrive. */
const carried = [
  'instanceSecrets',
  'apiTokens',
  'photos',
  'authors',
  'tags',
  'articles',
  'articleAuthors',
  'articleTags',
  'articleRevisions',
  'articleSlugRedirects',
  'articleCorrections',
  'newsletters',
  'newsletterSignups',
  'newsletterConsentEvents',
  'pages',
  'pageVersions',
  'appeals',
  'collections',
  'collectionItems',
] as const satisfies ReadonlyArray<keyof Tables>;
type CarriedTable = (typeof carried)[number];

const pageSize = 1000;

export interface ExportHeader {
  format: typeof exportFormat;
  version: typeof exportVersion;
  exportedAt: string;
  backend: Store['backend'];
  counts: Record<string, number>;
}

function isCarried(name: string): name is CarriedTable {
  return (carried as readonly string[]).includes(name);
}

/** Which properties of a table's rows are timestamps (JSON has no dates: they travel as ISO). */
function timestampKeys(name: CarriedTable): string[] {
  return Object.entries(getTableColumns(sqliteTables[name] as Table))
    .filter(([, column]) => column.dataType === 'date')
    .map(([key]) => key);
}

/** The primary key columns, for a stable order to page through. */
function orderColumns(store: Store, name: CarriedTable) {
  const schemaTable = sqliteTables[name] as Table;
  const composite = getTableConfig(sqliteTables[name]).primaryKeys[0]?.columns;
  const keyNames = new Set(
    (
      composite ?? Object.values(getTableColumns(schemaTable)).filter((column) => column.primary)
    ).map((column) => column.name),
  );
  return Object.values(getTableColumns(store.tables[name] as Table))
    .filter((column) => keyNames.has(column.name))
    .map((column) => asc(column));
}

/** Writes the header line, then every carried row; returns the row counts. */
export async function exportData(
  store: Store,
  write: (line: string) => Promise<void>,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const name of carried) {
    const [row] = await store.db.select({ n: count() }).from(store.tables[name]);
    counts[name] = row?.n ?? 0;
  }
  const header: ExportHeader = {
    format: exportFormat,
    version: exportVersion,
    exportedAt: new Date().toISOString(),
    backend: store.backend,
    counts,
  };
  await write(JSON.stringify(header));
  for (const name of carried) {
    const order = orderColumns(store, name);
    for (let offset = 0; ; offset += pageSize) {
      const rows: unknown[] = await store.db
        .select()
        .from(store.tables[name])
        .orderBy(...order)
        .limit(pageSize)
        .offset(offset);
      for (const row of rows) await write(JSON.stringify({ table: name, row }));
      if (rows.length < pageSize) break;
    }
  }
  return counts;
}

export class ImportError extends Error {
  override name = 'ImportError';
}

/**
 * Loads an export into an empty database in one transaction: all of it, or (on any error)
 * nothing. `lines` is called again if the transaction has to run again.
 */
export async function importData(
  store: Store,
  lines: () => AsyncIterable<string>,
): Promise<Record<string, number>> {
  for (const name of carried) {
    if (name === 'instanceSecrets') continue;
    const [row] = await store.db.select({ n: count() }).from(store.tables[name]);
    if ((row?.n ?? 0) > 0)
      throw new ImportError(
        `The database is not empty (${name} has rows); import needs an empty one.`,
      );
  }
  const dates = new Map(carried.map((name) => [name, timestampKeys(name)]));
  return store.write(async (tx) => {
    const counts: Record<string, number> = {};
    let header: ExportHeader | undefined;
    let batch: { name: CarriedTable; rows: Array<Record<string, unknown>> } | undefined;
    const flush = async () => {
      if (batch === undefined || batch.rows.length === 0) return;
      const { name, rows } = batch;
      // The rows were written by this schema's own export; the names are checked above.
      await tx.insert(store.tables[name]).values(rows as never);
      if (name === 'articles') {
        for (const article of rows)
          await store.search.write(
            tx,
            Number(article.searchRowId),
            {
              language: String(article.language),
              headline: String(article.headline),
              dek: typeof article.dek === 'string' ? article.dek : '',
              bodyText: renderMarkdown(String(article.body)).text,
            },
            article.inPublicSearch === true,
            undefined,
          );
      }
      counts[name] = (counts[name] ?? 0) + rows.length;
      batch = { name, rows: [] };
    };
    let lineNumber = 0;
    for await (const line of lines()) {
      lineNumber += 1;
      if (line.trim() === '') continue;
      const parsed = JSON.parse(line) as Record<string, unknown>;
      if (header === undefined) {
        if (parsed.format !== exportFormat || parsed.version !== exportVersion)
          throw new ImportError(`Line 1 is not a ${exportFormat} version ${exportVersion} header.`);
        header = parsed as unknown as ExportHeader;
        // The secrets travel with the data they sign: unsubscribe links keep working.
        await tx.delete(store.tables.instanceSecrets);
        continue;
      }
      const name = parsed.table;
      const row = parsed.row;
      if (typeof name !== 'string' || !isCarried(name) || typeof row !== 'object' || row === null)
        throw new ImportError(`Line ${lineNumber} is not a row of a known table.`);
      const record = { ...(row as Record<string, unknown>) };
      for (const key of dates.get(name) ?? []) {
        const value = record[key];
        if (typeof value === 'string') record[key] = new Date(value);
      }
      if (batch?.name !== name || batch.rows.length >= 500) await flush();
      if (batch?.name !== name) batch = { name, rows: [] };
      batch.rows.push(record);
    }
    await flush();
    if (header === undefined) throw new ImportError('The file is empty.');
    for (const name of carried) {
      if ((counts[name] ?? 0) !== (header.counts[name] ?? 0))
        throw new ImportError(
          `The file holds ${counts[name] ?? 0} ${name} rows, its header says ${header.counts[name] ?? 0}: it is incomplete.`,
        );
    }
    await store.dialect.afterImport(tx);
    return counts;
  });
}
