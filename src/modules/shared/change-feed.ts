import type { ChangeLogReader } from './change-log.ts';
import type { ContentKey } from './content-keys.ts';

// Each process tails the change log, so a change committed by another process over the same
// database (the CLI, another instance) reaches this one's response cache within one interval,
// or at once where the database announces commits (NOTIFY on PostgreSQL).
// Its own writes have already told the cache, at commit, so it skips them: hearing them again
// would drop what was cached since (a read right after a write would miss). A process that
// finds changes gone it never read (pruned while it was behind) cannot know what they touched,
// and drops its whole cache instead.

export interface ChangeFeedOptions {
  reader: ChangeLogReader;
  /** Told the keys of changes this process has not read yet. */
  apply: (keys: readonly ContentKey[]) => void;
  /** Told that changes were lost to this process: everything it holds may be stale. */
  dropAll: () => void;
  intervalMs: number;
  /** How long changes are kept; older ones are deleted every hour, a batch at a time. */
  retentionMs: number;
  now: () => Date;
  onError: (error: unknown) => void;
  /** Where the database can announce commits (Store.watchChanges): read at once when told. */
  watch?: ((wake: () => void) => Promise<() => Promise<void>>) | undefined;
}

/** Changes read per query, or deleted per transaction; a longer backlog takes several. */
const readBatch = 500;
const pruneEveryMs = 3_600_000;

export function createChangeFeed(options: ChangeFeedOptions) {
  const { reader } = options;
  let position: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> | undefined;
  let pruneTimer: NodeJS.Timeout | undefined;
  let pruning: Promise<void> | undefined;
  let stopWatching: (() => Promise<void>) | undefined;
  // A wake-up during a read may announce a change that read missed: read once more after it.
  let readAgain = false;

  /** Small transactions with a yield between them, so readers never wait long. */
  async function prune(): Promise<void> {
    const before = new Date(options.now().getTime() - options.retentionMs);
    while ((await reader.prune(before, readBatch)) === readBatch) {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  async function readAll(): Promise<void> {
    if (position === undefined) {
      // Nothing is cached yet when a process starts: it begins at the newest change.
      position = (await reader.bounds()).newest ?? 0;
      return;
    }
    for (;;) {
      const changes = await reader.after(position, readBatch);
      const [first] = changes;
      if (first === undefined) return;
      if (first.id > position + 1) {
        const { oldest } = await reader.bounds();
        if (oldest !== null && oldest > position + 1) {
          options.dropAll();
          position = changes.at(-1)?.id ?? position;
          continue;
        }
      }
      const heard = changes.flatMap((change) => (change.own ? [] : change.keys));
      if (heard.length > 0) options.apply(heard);
      position = changes.at(-1)?.id ?? position;
      if (changes.length < readBatch) return;
    }
  }

  /** One read of everything new; concurrent calls share it. */
  function poll(): Promise<void> {
    polling ??= readAll()
      .catch(options.onError)
      .finally(() => {
        polling = undefined;
      });
    return polling;
  }

  function wake(): void {
    if (polling === undefined) {
      void poll();
      return;
    }
    if (readAgain) return;
    readAgain = true;
    void polling.then(() => {
      readAgain = false;
      return poll();
    });
  }

  return {
    poll,
    /** Deletes changes older than the retention (hourly once started). */
    prune,
    async start(): Promise<void> {
      await poll();
      timer = setInterval(() => void poll(), options.intervalMs);
      timer.unref();
      const pruneNow = () => {
        pruning ??= prune()
          .catch(options.onError)
          .finally(() => {
            pruning = undefined;
          });
      };
      pruneNow();
      pruneTimer = setInterval(pruneNow, pruneEveryMs);
      pruneTimer.unref();
      stopWatching = await options.watch?.(wake);
    },
    async stop(): Promise<void> {
      if (timer !== undefined) clearInterval(timer);
      if (pruneTimer !== undefined) clearInterval(pruneTimer);
      await stopWatching?.();
      await Promise.all([polling, pruning]);
    },
    /** The id of the last change this process has read. */
    position: () => position,
  };
}
