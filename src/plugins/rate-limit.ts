import type { FastifyInstance } from 'fastify';
import { HttpError } from '../errors.ts';
import { clientKey, createRateLimiter } from '../lib/rate-limit.ts';

const policyName = 'per-client';

/**
 * A request budget per client address on every route, announced on every response with the
 * IETF RateLimit-Policy and RateLimit headers (draft-ietf-httpapi-ratelimit-headers), so a
 * well-behaved client can pace itself. The address is the socket's unless TRUST_PROXY is set:
 * a forged X-Forwarded-For does not buy a fresh budget. Signups have a tighter limit of their own.
 */
export function registerRateLimit(
  app: FastifyInstance,
  options: { perMinute: number; now: () => Date },
): void {
  const windowSeconds = 60;
  const limiter = createRateLimiter({ limit: options.perMinute, windowMs: windowSeconds * 1000 });
  const policy = `"${policyName}";q=${options.perMinute};w=${windowSeconds}`;
  app.addHook('onRequest', async (request, reply) => {
    const state = limiter.take(clientKey(request.ip), options.now().getTime());
    reply.header('ratelimit-policy', policy);
    reply.header('ratelimit', `"${policyName}";r=${state.remaining};t=${state.resetSeconds}`);
    if (!state.allowed) {
      throw new HttpError(
        429,
        'rate-limited',
        `At most ${options.perMinute} requests a minute per client; retry after the time in Retry-After.`,
        { headers: { 'retry-after': String(state.resetSeconds) } },
      );
    }
  });
}

/** How the headers above are described in the OpenAPI document. */
export const rateLimitHeaderDocs = {
  RateLimit: {
    description:
      'What is left of this client’s budget: `"per-client";r=<remaining>;t=<seconds until reset>`.',
    schema: { type: 'string', maxLength: 100 },
  },
  'RateLimit-Policy': {
    description: 'The budget: `"per-client";q=<requests>;w=<window seconds>`.',
    schema: { type: 'string', maxLength: 100 },
  },
};

export const retryAfterHeaderDoc = {
  'Retry-After': {
    description: 'Seconds to wait before retrying.',
    schema: { type: 'integer', format: 'int32', minimum: 1, maximum: 86400 },
  },
};
