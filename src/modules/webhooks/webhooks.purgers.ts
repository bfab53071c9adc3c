import { request } from 'undici';
import { noResponse, retryAfterOf, type SendResult } from './webhooks.sender.ts';

// CDN purges as outbox deliveries: an endpoint of kind `fastly` or `cloudflare` receives the same
// events as a webhook, with the same retries and log, but each attempt asks the CDN's API to
// drop what is tagged with the event's surrogate keys. The API tokens live in the environment
// only; the endpoint row holds nothing secret.

export const purgerKinds = ['fastly', 'cloudflare'] as const;
export type PurgerKind = (typeof purgerKinds)[number];

/** A purge endpoint's id: fixed per kind (`whk_cdnfastly000…`), the same on every instance. */
export const purgerEndpointId = (kind: PurgerKind): string => `whk_${`cdn${kind}`.padEnd(26, '0')}`;

export interface Purger {
  kind: PurgerKind;
  /** The purge API's URL (no credentials): shown as the endpoint's url. */
  url: string;
  description: string;
  /** Keys per API call: Fastly takes up to 256, Cloudflare up to 100 operations. */
  batch: number;
  headers: Record<string, string>;
  body: (keys: readonly string[]) => string;
}

export interface PurgeSettings {
  fastlyServiceId?: string | undefined;
  fastlyApiToken?: string | undefined;
  fastlySoftPurge: boolean;
  fastlyApiUrl: string;
  cloudflareZoneId?: string | undefined;
  cloudflareApiToken?: string | undefined;
  cloudflareApiUrl: string;
}

/** Every event that can make a public response stale. */
export const purgedEvents = ['article.*', 'author.*', 'tag.*', 'photo.*', 'page.*', 'collection.*'];

/** The purgers the environment configures (a pair of settings each). */
export function configuredPurgers(settings: PurgeSettings): Purger[] {
  const purgers: Purger[] = [];
  if (settings.fastlyServiceId !== undefined && settings.fastlyApiToken !== undefined)
    purgers.push({
      kind: 'fastly',
      url: `${settings.fastlyApiUrl}/service/${settings.fastlyServiceId}/purge`,
      description: `Fastly: ${settings.fastlySoftPurge ? 'soft ' : ''}purge by surrogate key (FASTLY_SERVICE_ID, set by the environment).`,
      batch: 256,
      headers: {
        'fastly-key': settings.fastlyApiToken,
        accept: 'application/json',
        ...(settings.fastlySoftPurge ? { 'fastly-soft-purge': '1' } : {}),
      },
      body: (keys) => JSON.stringify({ surrogate_keys: keys }),
    });
  if (settings.cloudflareZoneId !== undefined && settings.cloudflareApiToken !== undefined)
    purgers.push({
      kind: 'cloudflare',
      url: `${settings.cloudflareApiUrl}/zones/${settings.cloudflareZoneId}/purge_cache`,
      description:
        'Cloudflare: purge by cache tag (CLOUDFLARE_ZONE_ID, set by the environment). Responses carry the keys in Cache-Tag.',
      batch: 100,
      headers: { authorization: `Bearer ${settings.cloudflareApiToken}` },
      body: (keys) => JSON.stringify({ tags: keys }),
    });
  return purgers;
}

/** The surrogate keys an event's stored payload names (none for a malformed one). */
export function payloadKeys(payload: string): string[] {
  try {
    const parsed: unknown = JSON.parse(payload);
    const keys =
      typeof parsed === 'object' && parsed !== null && 'data' in parsed
        ? (parsed.data as { surrogateKeys?: unknown }).surrogateKeys
        : undefined;
    return Array.isArray(keys) ? keys.filter((key): key is string => typeof key === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * Purges `keys`, a batch per call, stopping at the first call that fails (the whole delivery is
 * retried: purging a key twice is harmless). No keys: nothing to purge, a success.
 */
export async function purge(
  purger: Purger,
  keys: readonly string[],
  timeoutMs: number,
  now: () => number,
): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let status: number | null = 200;
  for (let from = 0; from < keys.length; from += purger.batch) {
    try {
      const response = await request(purger.url, {
        method: 'POST',
        headers: {
          ...purger.headers,
          'content-type': 'application/json',
          'user-agent': 'Broadsheet-Purge/1',
        },
        body: purger.body(keys.slice(from, from + purger.batch)),
        signal: AbortSignal.timeout(timeoutMs),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const text = await response.body.text().catch(() => '');
      status = response.statusCode;
      // Cloudflare answers some refusals with a 200 and `success: false`.
      const refused = status >= 200 && status < 300 && /"success"\s*:\s*false/.test(text);
      if (status < 200 || status >= 300 || refused)
        return {
          status,
          retryAfterMs: retryAfterOf(status, response.headers, now()),
          error: refused ? 'The purge API answered success: false.' : `HTTP ${status}`,
          durationMs: elapsed(),
        };
    } catch (error) {
      return noResponse(error, timeoutMs, elapsed(), 'purge');
    }
  }
  return { status, retryAfterMs: null, error: null, durationMs: elapsed() };
}
