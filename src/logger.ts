import type { FastifyRequest } from 'fastify';
import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { SonicBoom, SonicBoomOpts } from 'sonic-boom';
import { redactSecrets } from './lib/redact.ts';

/**
 * Standard output, written asynchronously with a bounded buffer. A synchronous write to a pipe
 * whose reader stopped reading (a parent that exited while a child of it holds the pipe, a stuck
 * log shipper) blocks the whole event loop: requests, signal handlers and the forced-exit timer
 * with it (RELIABILITY.md 6d). Here a stalled reader costs dropped log lines, never a stall.
 */
// pino.destination() would register an exit hook that flushes synchronously: the same stall.
const require = createRequire(import.meta.url);
const { SonicBoom: SonicBoomStream } = require('sonic-boom') as {
  SonicBoom: new (options: SonicBoomOpts) => SonicBoom;
};
let stdout: SonicBoom | undefined;
function stdoutDestination(): SonicBoom {
  // Lines are gathered into writes of 4 KB (flushed at least every 250 ms): one write a line went
  // through the thread pool for every request and cost a third of cached-read throughput.
  stdout ??= new SonicBoomStream({
    fd: 1,
    sync: false,
    minLength: 4096,
    periodicFlush: 250,
    maxLength: 4 * 1024 * 1024,
  });
  return stdout;
}

/** Waits at most `timeoutMs` for buffered log lines to reach standard output (before exiting). */
export function flushStandardOutputLog(timeoutMs: number): Promise<void> {
  const destination = stdout;
  if (destination === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    timer.unref();
    try {
      destination.flush(() => {
        clearTimeout(timer);
        resolve();
      });
    } catch {
      resolve();
    }
  });
}

/**
 * Human-readable lines when a person is watching a terminal (pino-pretty, a development
 * dependency), JSON lines for everything else (files, pipes, log collectors).
 */
function terminalDestination(): DestinationStream | undefined {
  if (process.stdout.isTTY !== true) return undefined;
  try {
    const pretty = require('pino-pretty') as (options: {
      destination: DestinationStream;
      translateTime: string;
      ignore: string;
    }) => DestinationStream;
    return pretty({
      destination: stdoutDestination(),
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname',
    });
  } catch {
    return undefined;
  }
}

/**
 * Drizzle's query errors carry the bound parameters (emails, token hashes) in their message.
 * Only the driver's message and code, plus our own stack, reach the log.
 */
export function serializeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: redactSecrets(String(error)) };
  const cause = error.cause instanceof Error ? error.cause : undefined;
  const isQueryError = 'params' in error && 'query' in error;
  const message = isQueryError && cause !== undefined ? cause.message : error.message;
  const code =
    (cause as { code?: unknown } | undefined)?.code ?? (error as { code?: unknown }).code;
  return {
    type: error.name,
    message: redactSecrets(message),
    ...(typeof code === 'string' ? { code } : {}),
    ...(isQueryError ? { query: (error as { query: unknown }).query } : {}),
    // Frames only: the first lines of a stack repeat the (possibly multi-line) message.
    stack: (error.stack ?? '')
      .split('\n')
      .filter((line) => line.trimStart().startsWith('at '))
      .join('\n'),
  };
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      // Requests are logged once, on completion, by the app (see app.ts); headers never are.
      serializers: {
        err: serializeError,
        req: (request: FastifyRequest) => ({
          method: request.method,
          url: redactSecrets(request.url),
        }),
      },
      redact: {
        paths: ['*.authorization', '*.headers.authorization', '*.token', '*.email', '*.password'],
        censor: '[redacted]',
      },
    },
    destination ?? terminalDestination() ?? stdoutDestination(),
  );
}
