import { type ChildProcess, fork } from 'node:child_process';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import pLimit from 'p-limit';
import { ImageRefused } from '../modules/photos/photos.images.ts';
import type { RenditionJob, RenditionMessage } from './renditions.worker.ts';

// Image work runs in child processes (renditions.worker), one job at a time each, and each
// rendition is handed to `keep` as it arrives (so the parent holds one at a time). libvips'
// threads leave glibc holding the memory they freed; a child returns all of it when it exits,
// so children are retired after a number of jobs and when idle, and the server's RSS keeps none
// of it. Reusing a child spares each job a process start (about 130 ms of CPU with sharp loaded).

const timeoutMs = 5 * 60_000;

export interface ChildOutcome {
  /** The placeholder, when the job asked for one. */
  placeholder?: string;
}

export type KeepRendition = (
  index: number,
  made: { bytes: Buffer; width: number; height: number },
) => Promise<void>;

export interface RenditionsPool {
  /** Runs a job in an idle child (or a new one), queued while `size` jobs are running. */
  render(job: RenditionJob, keep: KeepRendition, signal?: AbortSignal): Promise<ChildOutcome>;
  /** Children now alive, busy or idle. */
  readonly alive: number;
  /** Stops the idle children; a running job ends by its own signal or timeout. */
  close(): void;
}

export interface PoolOptions {
  /** Jobs at once (children busy at once). */
  size: number;
  /** An idle child exits after this long. */
  idleMs?: number;
  /** A child exits after this many jobs, handing back what its allocator kept. */
  jobsPerChild?: number;
  /**
   * The children's nice value (0–19): work nobody waits for should yield the CPU to the server
   * and to uploads whose answer waits on it.
   */
  niceness?: number;
}

interface Child {
  process: ChildProcess;
  jobs: number;
  exited: boolean;
  idleTimer?: NodeJS.Timeout;
}

function spawn(niceness: number): Child {
  const typescript = import.meta.url.endsWith('.ts');
  const entry = fileURLToPath(
    new URL(typescript ? './renditions.worker.ts' : './renditions.worker.js', import.meta.url),
  );
  const child: Child = {
    process: fork(entry, [], {
      execArgv: typescript ? ['--import', 'tsx'] : [],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    }),
    jobs: 0,
    exited: false,
  };
  const { pid } = child.process;
  if (niceness > 0 && pid !== undefined) {
    try {
      setPriority(pid, niceness);
    } catch {
      // Not allowed here (some sandboxes): the child runs at the server's priority.
    }
  }
  child.process.once('exit', () => {
    child.exited = true;
    clearTimeout(child.idleTimer);
  });
  // A child that fails to start reports it through `exit` as well; a job running on it is
  // told by its own listener.
  child.process.on('error', () => undefined);
  return child;
}

export function createRenditionsPool(options: PoolOptions): RenditionsPool {
  const { size, idleMs = 30_000, jobsPerChild = 25, niceness = 0 } = options;
  const limit = pLimit(size);
  const idle: Child[] = [];
  const all = new Set<Child>();
  let closed = false;

  const retire = (child: Child) => {
    all.delete(child);
    clearTimeout(child.idleTimer);
    if (!child.exited) child.process.kill('SIGKILL');
  };

  const take = (): Child => {
    for (let child = idle.pop(); child !== undefined; child = idle.pop()) {
      clearTimeout(child.idleTimer);
      if (!child.exited) {
        child.process.ref();
        child.process.channel?.ref();
        return child;
      }
      all.delete(child);
    }
    const child = spawn(niceness);
    all.add(child);
    return child;
  };

  const park = (child: Child) => {
    if (closed || child.exited || child.jobs >= jobsPerChild) return retire(child);
    // An idle child keeps no server from exiting.
    child.process.unref();
    child.process.channel?.unref();
    child.idleTimer = setTimeout(() => {
      const at = idle.indexOf(child);
      if (at >= 0) idle.splice(at, 1);
      retire(child);
    }, idleMs);
    child.idleTimer.unref();
    idle.push(child);
  };

  const runOn = (
    child: Child,
    job: RenditionJob,
    keep: KeepRendition,
    signal?: AbortSignal,
  ): Promise<ChildOutcome> =>
    new Promise<ChildOutcome>((resolve, reject) => {
      const outcome: ChildOutcome = {};
      let settled = false;
      let kept: Promise<void> = Promise.resolve();
      const finish = (error?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        // The signal lives as long as the server, the child maybe longer than this job: a
        // listener left on either would keep every job's closures.
        signal?.removeEventListener('abort', stop);
        child.process.off('message', onMessage);
        child.process.off('exit', onExit);
        child.process.off('error', onError);
        child.jobs += 1;
        if (error !== undefined && !(error instanceof ImageRefused)) {
          retire(child);
          reject(error);
          return;
        }
        kept.then(
          () => {
            park(child);
            if (error === undefined) resolve(outcome);
            else reject(error);
          },
          (keepError: unknown) => {
            retire(child);
            reject(keepError);
          },
        );
      };
      const timer = setTimeout(
        () => finish(new Error('making the renditions took longer than 5 minutes')),
        timeoutMs,
      );
      const onMessage = (message: RenditionMessage) => {
        if (message.kind === 'placeholder') outcome.placeholder = message.value;
        else if (message.kind === 'rendition') {
          const { index, bytes, width, height } = message;
          kept = kept.then(() => keep(index, { bytes: Buffer.from(bytes), width, height }));
          kept.catch((error: unknown) =>
            finish(error instanceof Error ? error : new Error(String(error))),
          );
        } else if (message.kind === 'done') finish();
        else
          finish(
            message.refused === undefined
              ? new Error(message.message)
              : new ImageRefused(message.refused, message.message),
          );
      };
      const onExit = (code: number | null, exitSignal: NodeJS.Signals | null) =>
        finish(new Error(`the renditions process ended (${exitSignal ?? code})`));
      const onError = (error: Error) => finish(error);
      // Shutting down: the child is stopped and the lease runs out, so another process (or this
      // one, restarted) makes the renditions again from the start.
      const stop = () => finish(new Error('stopped: the server is closing'));
      child.process.on('message', onMessage);
      child.process.once('exit', onExit);
      child.process.on('error', onError);
      signal?.addEventListener('abort', stop, { once: true });
      if (child.exited) finish(new Error('the renditions process ended'));
      else
        child.process.send(job, (error) => {
          if (error !== null) finish(error);
        });
    });

  return {
    render(job, keep, signal) {
      return limit(() => {
        if (closed || signal?.aborted === true)
          return Promise.reject(new Error('stopped: the server is closing'));
        return runOn(take(), job, keep, signal);
      });
    },
    get alive() {
      return [...all].filter((child) => !child.exited).length;
    },
    close() {
      closed = true;
      for (const child of idle.splice(0)) retire(child);
    },
  };
}
