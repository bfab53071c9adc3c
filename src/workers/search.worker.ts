import { parentPort, workerData } from 'node:worker_threads';
import type { SearchTerms } from '../lib/search-query.ts';
import { openSqliteReadStore } from '../db/sqlite.ts';
import type { PublicListFilters } from '../modules/articles/articles.public.queries.ts';
import { createPublicSearchRepository } from '../modules/articles/articles.search.repository.ts';

// A search thread: its own read-only connection and prepared statements, so a slow full-text
// query costs this thread's time and never the event loop that serves every other request.
// Protocol (search-pool.ts): it posts `{ ready: true }` once it can search, then answers each
// `{ task }` with `{ result }` or `{ error }`, one task at a time.

export interface SearchTask {
  terms: SearchTerms;
  filters: PublicListFilters;
  offset: number;
  limit: number;
  now: Date;
}

const { databasePath } = workerData as { databasePath: string };
const repository = createPublicSearchRepository(
  openSqliteReadStore({ path: databasePath, synchronous: 'NORMAL' }),
);
const port = parentPort;
if (port === null) throw new Error('search.worker must run as a worker thread');

port.on('message', ({ task }: { task: SearchTask }) => {
  repository.search(task.terms, task.filters, task.offset, task.limit, task.now).then(
    (result) => port.postMessage({ result }),
    (error: unknown) =>
      port.postMessage({ error: error instanceof Error ? error.message : String(error) }),
  );
});
port.postMessage({ ready: true });
