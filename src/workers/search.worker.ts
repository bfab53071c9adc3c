import { workerData } from 'node:worker_threads';
import { openSqliteReadStore } from '../db/sqlite.ts';
import {
  createPublicArticlesRepository,
  type PublicArticlesRepository,
  type PublicListFilters,
} from '../modules/articles/articles.public.repository.ts';
import type { ArticleSummary } from '../modules/articles/articles.schemas.ts';

// A search thread: its own read-only connection and prepared statements, so a slow full-text
// query costs this thread's time and never the event loop that serves every other request.

export interface SearchTask {
  match: string;
  filters: PublicListFilters;
  offset: number;
  limit: number;
  now: Date;
}

const { databasePath } = workerData as { databasePath: string };
let repository: PublicArticlesRepository | undefined;

/** A `ping` opens the connection (a thread's start-up is not charged to a reader's budget). */
export default function search(task: SearchTask | 'ping'): Promise<ArticleSummary[]> {
  repository ??= createPublicArticlesRepository(
    openSqliteReadStore({ path: databasePath, synchronous: 'NORMAL' }),
  );
  if (task === 'ping') return Promise.resolve([]);
  return repository.search(task.match, task.filters, task.offset, task.limit, task.now);
}
