import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RenditionJob, RenditionMessage } from './renditions.worker.ts';

// Runs renditions.worker in a child process for one photo and hands each rendition to
// `keep` as it arrives (so the parent holds one at a time).

const timeoutMs = 5 * 60_000;

export function renderInChild(
  job: RenditionJob,
  keep: (index: number, made: { bytes: Buffer; width: number; height: number }) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  const typescript = import.meta.url.endsWith('.ts');
  const entry = fileURLToPath(
    new URL(typescript ? './renditions.worker.ts' : './renditions.worker.js', import.meta.url),
  );
  const child = fork(entry, [], {
    execArgv: typescript ? ['--import', 'tsx'] : [],
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    let kept: Promise<void> = Promise.resolve();
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error !== undefined) {
        child.kill('SIGKILL');
        reject(error);
      } else kept.then(resolve, reject);
    };
    const timer = setTimeout(
      () => finish(new Error('making the renditions took longer than 5 minutes')),
      timeoutMs,
    );
    child.on('message', (message: RenditionMessage) => {
      if (message.kind === 'rendition') {
        const { index, bytes, width, height } = message;
        kept = kept.then(() => keep(index, { bytes: Buffer.from(bytes), width, height }));
        kept.catch((error: unknown) =>
          finish(error instanceof Error ? error : new Error(String(error))),
        );
      } else if (message.kind === 'done') finish();
      else finish(new Error(message.message));
    });
    child.on('error', (error) => finish(error));
    child.on('close', (code, signal) => {
      if (!settled) finish(new Error(`the renditions process ended (${signal ?? code})`));
    });
    // Shutting down: the child is stopped and the lease runs out, so another process (or this
    // one, restarted) makes the renditions again from the start.
    signal?.addEventListener('abort', () => finish(new Error('stopped: the server is closing')), {
      once: true,
    });
    child.send(job);
  });
}
