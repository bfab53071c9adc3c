import { lookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import { Agent, request } from 'undici';
import { ipLiteral, isPublicAddress } from '../../lib/public-address.ts';

// Sends one signed attempt. The target is checked after DNS, at send time, for every address the
// name resolves to, and the connection goes to an address that passed (no second lookup a
// rebinding name could answer differently). undici's request follows no redirect; the response body is
// read up to a small bound and dropped.

export type ResolveHost = (hostname: string) => Promise<string[]>;

export const resolveWithDns: ResolveHost = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

export interface SendOptions {
  timeoutMs: number;
  allowPrivateTargets: boolean;
  resolve: ResolveHost;
}

export interface SendResult {
  /** The response's status; null when no response came (refused, timed out, network error). */
  status: number | null;
  /** What the receiver's Retry-After asked for, in ms (429 and 503 only). */
  retryAfterMs: number | null;
  error: string | null;
  durationMs: number;
}

/** Refused before any connection: the target is not on the public internet. */
class RefusedTarget extends Error {}

const maxRetryAfterMs = 24 * 3_600_000;

/** A Retry-After header as a wait in ms, capped at a day; null when absent or in the past. */
function retryAfter(value: string | string[] | undefined, now: number): number | null {
  const header = Array.isArray(value) ? value[0] : value;
  if (header === undefined) return null;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, maxRetryAfterMs) : null;
}

/** What a 429 or 503 asks for with Retry-After, in ms; null for any other status. */
export function retryAfterOf(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  now: number,
): number | null {
  return status === 429 || status === 503 ? retryAfter(headers['retry-after'], now) : null;
}

/** An attempt that got no response: timed out, or failed to `verb` (refused, reset, …). */
export function noResponse(
  error: unknown,
  timeoutMs: number,
  durationMs: number,
  verb: string,
): SendResult {
  const timedOut =
    error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
  const message = timedOut
    ? `No response within ${timeoutMs} ms`
    : `Could not ${verb}: ${error instanceof Error ? error.message : String(error)}`;
  return { status: null, retryAfterMs: null, error: message.slice(0, 500), durationMs };
}

export function createWebhookSender(options: SendOptions) {
  async function vetted(hostname: string): Promise<string[]> {
    const literal = ipLiteral(hostname);
    const addresses = literal === null ? await options.resolve(hostname) : [literal];
    if (addresses.length === 0) throw new RefusedTarget(`${hostname} has no address`);
    if (!options.allowPrivateTargets) {
      const refused = addresses.find((address) => !isPublicAddress(address));
      if (refused !== undefined)
        throw new RefusedTarget(`${hostname} resolves to a non-public address (${refused})`);
    }
    return addresses;
  }

  // Connections look the name up through `vetted`: the address checked is the one connected to.
  const agent = new Agent({
    connect: {
      lookup(hostname, lookupOptions, callback) {
        vetted(hostname).then(
          (addresses) => {
            const entries: LookupAddress[] = addresses.map((address) => ({
              address,
              family: address.includes(':') ? 6 : 4,
            }));
            if ((lookupOptions as { all?: boolean }).all === true) callback(null, entries);
            else {
              const [first] = entries;
              if (first === undefined) callback(new Error('no address'), '', 4);
              else callback(null, first.address, first.family);
            }
          },
          (error: unknown) =>
            callback(error instanceof Error ? error : new Error(String(error)), '', 4),
        );
      },
    },
    keepAliveTimeout: 10_000,
  });

  return {
    async send(
      url: string,
      headers: Record<string, string>,
      body: string,
      now: () => number,
    ): Promise<SendResult> {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      try {
        const target = new URL(url);
        // An IP literal never reaches `lookup`: it is checked here. A name is resolved and
        // checked once, by the agent's lookup, for the connection it makes.
        if (ipLiteral(target.hostname) !== null) await vetted(target.hostname);
        const response = await request(url, {
          method: 'POST',
          headers: {
            ...headers,
            'content-type': 'application/json',
            'user-agent': 'Broadsheet-Webhooks/1',
          },
          body,
          dispatcher: agent,
          signal: AbortSignal.timeout(options.timeoutMs),
          headersTimeout: options.timeoutMs,
          bodyTimeout: options.timeoutMs,
        });
        await response.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
        const status = response.statusCode;
        return {
          status,
          retryAfterMs: retryAfterOf(status, response.headers, now()),
          error: status >= 200 && status < 300 ? null : `HTTP ${status}`,
          durationMs: elapsed(),
        };
      } catch (error) {
        if (error instanceof RefusedTarget)
          return {
            status: null,
            retryAfterMs: null,
            error: `Refused: ${error.message}`.slice(0, 500),
            durationMs: elapsed(),
          };
        return noResponse(error, options.timeoutMs, elapsed(), 'deliver');
      }
    },
    close: () => agent.close(),
  };
}

export type WebhookSender = ReturnType<typeof createWebhookSender>;
