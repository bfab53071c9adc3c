import type { FastifyRequest } from 'fastify';
import { pino, type DestinationStream, type Logger } from 'pino';
import { redactSecrets } from './lib/redact.ts';

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
    destination,
  );
}
