import { Piscina } from 'piscina';
import { HttpError } from '../errors.ts';
import type { PublicArticlesRepository } from '../modules/articles/articles.public.repository.ts';
import type { ArticleSummary } from '../modules/articles/articles.schemas.ts';
import type { SearchTask } from './search.worker.ts';

// Public full-text search runs on worker threads with their own read-only connections, each
// query under a hard time budget: past it the thread is terminated and the reader gets a 503,
// while every other request goes on being served (RELIABILITY.md 6b).

export interface SearchRunner {
  search(task: SearchTask): Promise<ArticleSummary[]>;
  close(): Promise<void>;
}

export interface SearchPoolOptions {
  /** Undefined (an in-memory database) searches on the main thread. */
  databasePath: string | undefined;
  /** Worker threads; 0 runs searches on the main thread (an in-memory database, or tests). */
  threads: number;
  budgetMs: number;
  /** Searches waiting for a thread before new ones get 503. */
  maxQueue: number;
  /** The worker module (default: search.worker beside this file). */
  entry?: URL;
}

const overloaded = (detail: string) =>
  new HttpError(503, 'search-unavailable', detail, { headers: { 'retry-after': '1' } });

export function createSearchRunner(
  options: SearchPoolOptions,
  inProcess: PublicArticlesRepository,
  onError: (error: unknown) => void,
): SearchRunner {
  const { databasePath } = options;
  if (options.threads === 0 || databasePath === undefined) {
    return {
      search: (task) =>
        inProcess.search(task.match, task.filters, task.offset, task.limit, task.now),
      close: async () => undefined,
    };
  }
  // Under tsx (development, tests) the worker is TypeScript and needs the same loader; a build
  // runs the compiled .js beside this file.
  const typescript = import.meta.url.endsWith('.ts');
  const entry = (options.entry ?? new URL('./search.worker.ts', import.meta.url)).href;
  const pool = new Piscina({
    filename: typescript
      ? new URL('./typescript-worker.mjs', import.meta.url).href
      : entry.replace(/\.ts$/, '.js'),
    // Threads start on the first search, not with the app (most processes never search).
    minThreads: 0,
    maxThreads: options.threads,
    idleTimeout: 60_000,
    workerData: { databasePath, typescriptEntry: entry },
  });
  // A crashed or terminated thread is replaced by the pool; nothing to do but say so.
  pool.on('error', (error: unknown) => onError(error));
  // The first thread's start-up (loading code, opening the database) is waited for once,
  // outside any reader's budget.
  let warm: Promise<unknown> | undefined;
  // Searches running or waiting; counted here rather than left to the pool, so the bound is exact.
  let pending = 0;
  return {
    async search(task) {
      if (pending >= options.threads + options.maxQueue)
        throw overloaded('Too many searches are running; try again in a moment.');
      pending += 1;
      try {
        warm ??= pool.run('ping');
        await warm;
        return (await pool.run(task, {
          signal: AbortSignal.timeout(options.budgetMs),
        })) as ArticleSummary[];
      } catch (error) {
        if (error instanceof Error && error.name === 'AbortError')
          throw overloaded(
            `This search took longer than ${options.budgetMs} ms and was stopped; try fewer or longer words.`,
          );
        throw error;
      } finally {
        pending -= 1;
      }
    },
    close: () => pool.destroy(),
  };
}
