import type { ChangeLogReader } from './change-log.ts';
import type { ContentKey } from './content-keys.ts';

// Each process tails the change log, so a change committed by another process over the same
// database (the CLI, another instance) reaches this one's response cache within one interval.
// Its own writes have already told the cache, at commit; hearing them again costs an extra
// miss at most. A process that finds changes gone it never read (pruned while it was behind)
// cannot know what they touched, and drops its whole cache instead.

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
      options.apply(changes.flatMap((change) => change.keys));
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
    },
    async stop(): Promise<void> {
      if (timer !== undefined) clearInterval(timer);
      if (pruneTimer !== undefined) clearInterval(pruneTimer);
      await Promise.all([polling, pruning]);
    },
    /** The id of the last change this process has read. */
    position: () => position,
  };
}
