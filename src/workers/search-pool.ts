import { Worker } from 'node:worker_threads';
import { HttpError } from '../errors.ts';
import type { ListedArticle } from '../modules/articles/articles.public.queries.ts';
import type { PublicSearchRepository } from '../modules/articles/articles.search.repository.ts';
import type { SearchTask } from './search.worker.ts';

// Public full-text search runs on worker threads with their own read-only connections, each
// query under a hard time budget: past it the thread is terminated (SQLite's work cannot be
// interrupted from JavaScript, a thread can) and the reader gets a 503, while every other request
// goes on being served (RELIABILITY.md 6b). The budget starts when a thread takes the query, not
// while it waits for one, so a burst of ordinary searches queues instead of timing out; the wait
// is bounded by the queue's length.

export interface SearchRunner {
  search(task: SearchTask): Promise<ListedArticle[]>;
  close(): Promise<void>;
}

export interface SearchPoolOptions {
  /** Undefined (an in-memory database) searches on the main thread. */
  databasePath: string | undefined;
  /** Worker threads; 0 runs searches on the main thread. */
  threads: number;
  budgetMs: number;
  /** Searches waiting for a thread before new ones get 503. */
  maxQueue: number;
  /** The worker module (default: search.worker beside this file). */
  entry?: URL;
}

const unavailable = (detail: string) =>
  new HttpError(503, 'search-unavailable', detail, { headers: { 'retry-after': '1' } });

interface Job {
  task: SearchTask;
  resolve: (rows: ListedArticle[]) => void;
  reject: (error: unknown) => void;
}

interface Thread {
  worker: Worker;
  /** Resolves once the thread has loaded its code and opened the database. */
  ready: Promise<void>;
  current: { job: Job; timer: NodeJS.Timeout | undefined } | undefined;
}

type WorkerMessage = { ready: true } | { result: ListedArticle[] } | { error: string };

export function createSearchRunner(
  options: SearchPoolOptions,
  inProcess: PublicSearchRepository,
  onError: (error: unknown) => void,
): SearchRunner {
  const { databasePath } = options;
  if (options.threads === 0 || databasePath === undefined) {
    return {
      search: (task) =>
        inProcess.search(task.terms, task.filters, task.offset, task.limit, task.now),
      close: async () => undefined,
    };
  }
  // Under tsx (development, tests) the worker is TypeScript and needs tsx's loader, which a new
  // thread does not inherit; a build runs the compiled .js beside this file.
  const entry = options.entry ?? new URL('./search.worker.ts', import.meta.url);
  const typescript = import.meta.url.endsWith('.ts');
  const file = typescript
    ? new URL('./typescript-worker.mjs', import.meta.url)
    : new URL(entry.href.replace(/\.ts$/, '.js'));

  const threads = new Set<Thread>();
  const idle: Thread[] = [];
  const waiting: Job[] = [];
  let closed = false;

  function finish(thread: Thread, outcome: (job: Job) => void): void {
    const current = thread.current;
    if (current === undefined) return;
    clearTimeout(current.timer);
    thread.current = undefined;
    outcome(current.job);
  }

  function retire(thread: Thread): void {
    threads.delete(thread);
    const at = idle.indexOf(thread);
    if (at >= 0) idle.splice(at, 1);
    void thread.worker.terminate();
    // A waiting search gets a fresh thread rather than waiting for the next arrival.
    const next = waiting.shift();
    if (next !== undefined && !closed) assign(spawn(), next);
  }

  function spawn(): Thread {
    const worker = new Worker(file, {
      workerData: { databasePath, typescriptEntry: entry.href },
      // A search thread holds no cache: a small young generation keeps its garbage, and so the
      // process's memory, from ballooning under a stream of searches (as on the main thread).
      resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 128 },
    });
    let markReady: () => void = () => undefined;
    const thread: Thread = {
      worker,
      ready: new Promise((resolve) => (markReady = resolve)),
      current: undefined,
    };
    worker.on('message', (message: WorkerMessage) => {
      if ('ready' in message) return markReady();
      finish(thread, (job) =>
        'result' in message ? job.resolve(message.result) : job.reject(new Error(message.error)),
      );
      release(thread);
    });
    worker.on('error', (error) => {
      onError(error);
      finish(thread, (job) => job.reject(unavailable('The search failed; try again.')));
      retire(thread);
    });
    // A thread that ends on its own (not retired here) must not leave its search unanswered.
    worker.on('exit', (code) => {
      if (!threads.has(thread)) return;
      onError(new Error(`search thread exited with code ${code}`));
      finish(thread, (job) => job.reject(unavailable('The search failed; try again.')));
      retire(thread);
    });
    threads.add(thread);
    return thread;
  }

  function assign(thread: Thread, job: Job): void {
    thread.current = { job, timer: undefined };
    void thread.ready.then(() => {
      const current = thread.current;
      if (current?.job !== job) return;
      current.timer = setTimeout(() => {
        finish(thread, (stopped) =>
          stopped.reject(
            unavailable(
              `This search took longer than ${options.budgetMs} ms and was stopped; try fewer or longer words.`,
            ),
          ),
        );
        retire(thread);
      }, options.budgetMs);
      thread.worker.postMessage({ task: job.task });
    });
  }

  function release(thread: Thread): void {
    if (!threads.has(thread)) return;
    const next = waiting.shift();
    if (next !== undefined) assign(thread, next);
    else idle.push(thread);
  }

  return {
    search(task) {
      if (closed) return Promise.reject(unavailable('The server is shutting down.'));
      return new Promise<ListedArticle[]>((resolve, reject) => {
        const job: Job = { task, resolve, reject };
        const thread = idle.pop() ?? (threads.size < options.threads ? spawn() : undefined);
        if (thread !== undefined) assign(thread, job);
        else if (waiting.length >= options.maxQueue)
          reject(unavailable('Too many searches are running; try again in a moment.'));
        else waiting.push(job);
      });
    },
    async close() {
      closed = true;
      const shuttingDown = unavailable('The server is shutting down.');
      for (const job of waiting.splice(0)) job.reject(shuttingDown);
      for (const thread of threads) finish(thread, (job) => job.reject(shuttingDown));
      await Promise.all([...threads].map((thread) => thread.worker.terminate()));
      threads.clear();
    },
  };
}
