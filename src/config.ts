import { existsSync } from 'node:fs';
import { z } from 'zod';
import { articleUrlTokens, previewUrlTokens, recordUrlTokens } from './lib/site-urls.ts';

// The one place that reads process.env. Everything else receives a Config.

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
  .transform((value) => ['true', '1', 'yes', 'on'].includes(value));

function wholeNumber(min: number, max: number) {
  // Digits only: Number('0x10') and Number(' 5 ') would otherwise pass.
  return z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
}

/** A tag's, author's or page's address on the frontend: `{site}` first, then its `{slug}`. */
function recordUrlTemplate(fallback: string) {
  return z
    .string()
    .max(500)
    .regex(/^\{site\}/, 'must start with {site}')
    .regex(/\{slug\}/, 'must contain {slug}')
    .refine(...knownTokens(recordUrlTokens))
    .default(fallback);
}

/** A service's base URL, without a trailing slash (an API path is appended to it). */
const baseUrl = z.url({ protocol: /^https?$/ }).transform((url) => url.replace(/\/+$/, ''));

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A URL template's check: it names only these `{tokens}`. */
function knownTokens(known: readonly string[]) {
  return [
    (value: string) =>
      [...value.matchAll(/\{(\w+)\}/g)].every(([, token]) => known.includes(token ?? '')),
    `knows ${known.map((token) => `{${token}}`).join(', ')} only`,
  ] as const;
}

function setting<const V extends string, S extends z.ZodType>(variable: V, schema: S) {
  return { variable, schema };
}

/**
 * Every setting once: its config key, the environment variable it is read from, and the zod
 * schema that parses and bounds it. The Config type is derived from this list.
 */
const settings = {
  production: setting(
    'NODE_ENV',
    z
      .enum(['development', 'production', 'test'])
      .default('development')
      .transform((value) => value === 'production'),
  ),
  host: setting('HOST', z.string().min(1).default('127.0.0.1')),
  port: setting('PORT', wholeNumber(0, 65535).default(3000)),
  databasePath: setting('DATABASE_PATH', z.string().min(1).default('./data/broadsheet.db')),
  databaseSynchronous: setting('DATABASE_SYNCHRONOUS', z.enum(['FULL', 'NORMAL']).default('FULL')),
  // Set: PostgreSQL at this URL instead of the SQLite file at DATABASE_PATH.
  databaseUrl: setting(
    'DATABASE_URL',
    z
      .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' })
      .optional(),
  ),
  databasePoolSize: setting('DATABASE_POOL_SIZE', wholeNumber(1, 500).default(10)),
  databaseStatementTimeoutMs: setting(
    'DATABASE_STATEMENT_TIMEOUT_MS',
    wholeNumber(100, 3_600_000).default(10_000),
  ),
  // Unset: the URL decides (`?sslmode=require`), as libpq would.
  databaseSsl: setting('DATABASE_SSL', z.enum(['disable', 'require', 'verify-full']).optional()),
  logLevel: setting('LOG_LEVEL', z.enum(logLevels).default('info')),
  corsOrigins: setting(
    'CORS_ORIGINS',
    z
      .string()
      .default('')
      .transform((value) =>
        value
          .split(',')
          .map((origin) => origin.trim())
          .filter((origin) => origin.length > 0),
      )
      .pipe(
        z.array(
          z.url({ protocol: /^https?$/ }).refine((url) => !url.endsWith('/'), 'no trailing slash'),
        ),
      ),
  ),
  trustProxy: setting(
    'TRUST_PROXY',
    z
      .string()
      .default('false')
      .transform((value, ctx) => parseTrustProxy(value, ctx)),
  ),
  publicCacheMaxAge: setting('PUBLIC_CACHE_MAX_AGE', wholeNumber(0, 31_536_000).default(60)),
  publicCacheStaleWhileRevalidate: setting(
    'PUBLIC_CACHE_STALE_WHILE_REVALIDATE',
    wholeNumber(0, 31_536_000).default(600),
  ),
  bodyLimitBytes: setting(
    'BODY_LIMIT_BYTES',
    wholeNumber(1024, 50 * 1024 * 1024).default(1024 * 1024),
  ),
  requestTimeoutMs: setting('REQUEST_TIMEOUT_MS', wholeNumber(100, 600_000).default(30_000)),
  headersTimeoutMs: setting('HEADERS_TIMEOUT_MS', wholeNumber(100, 600_000).default(10_000)),
  keepAliveTimeoutMs: setting('KEEP_ALIVE_TIMEOUT_MS', wholeNumber(100, 600_000).default(5_000)),
  seedDemo: setting('SEED_DEMO', booleanFlag.default(true)),
  responseCacheMaxEntries: setting(
    'RESPONSE_CACHE_MAX_ENTRIES',
    wholeNumber(0, 1_000_000).default(10_000),
  ),
  responseCacheMaxMb: setting('RESPONSE_CACHE_MAX_MB', wholeNumber(1, 4096).default(64)),
  siteUrl: setting(
    'SITE_URL',
    z
      .url({ protocol: /^https?$/ })
      .default('http://localhost:4321')
      .transform((url) => url.replace(/\/+$/, '')),
  ),
  publicApiUrl: setting(
    'PUBLIC_API_URL',
    z
      .url({ protocol: /^https?$/ })
      .optional()
      .transform((url) => url?.replace(/\/+$/, '')),
  ),
  signupConfirmPath: setting(
    'SIGNUP_CONFIRM_PATH',
    z
      .string()
      .regex(/^\/[^\s?#]*$/, 'must be a path starting with /')
      .default('/newsletter/confirm'),
  ),
  signupUnsubscribePath: setting(
    'SIGNUP_UNSUBSCRIBE_PATH',
    z
      .string()
      .regex(/^\/[^\s?#]*$/, 'must be a path starting with /')
      .default('/newsletter/unsubscribe'),
  ),
  signupThanksUrl: setting('SIGNUP_THANKS_URL', z.url({ protocol: /^https?$/ }).optional()),
  signupErrorUrl: setting('SIGNUP_ERROR_URL', z.url({ protocol: /^https?$/ }).optional()),
  signupConfirmationTtlHours: setting(
    'SIGNUP_CONFIRMATION_TTL_HOURS',
    wholeNumber(1, 24 * 30).default(48),
  ),
  changePollMs: setting('CHANGE_POLL_MS', wholeNumber(20, 60_000).default(250)),
  changeLogRetentionHours: setting(
    'CHANGE_LOG_RETENTION_HOURS',
    wholeNumber(1, 24 * 365).default(24 * 7),
  ),
  searchThreads: setting('SEARCH_THREADS', wholeNumber(0, 16).default(1)),
  searchBudgetMs: setting('SEARCH_BUDGET_MS', wholeNumber(10, 60_000).default(1000)),
  searchMaxQueue: setting('SEARCH_MAX_QUEUE', wholeNumber(1, 10_000).default(64)),
  rateLimitPerMinute: setting('RATE_LIMIT_PER_MINUTE', wholeNumber(1, 100_000_000).default(1200)),
  signupRateLimit: setting('SIGNUP_RATE_LIMIT', wholeNumber(1, 100_000).default(10)),
  signupConfirmationsPerHour: setting(
    'SIGNUP_CONFIRMATIONS_PER_HOUR',
    wholeNumber(1, 1_000_000).default(500),
  ),
  signupsPerClientPerHour: setting(
    'SIGNUPS_PER_CLIENT_PER_HOUR',
    wholeNumber(1, 1_000_000).default(30),
  ),
  signupPendingRetentionDays: setting(
    'SIGNUP_PENDING_RETENTION_DAYS',
    wholeNumber(1, 36_500).default(30),
  ),
  blockedEmailDomains: setting(
    'BLOCKED_EMAIL_DOMAINS',
    z
      .string()
      .default('')
      .transform((value) =>
        value
          .split(',')
          .map((domain) => domain.trim().toLowerCase())
          .filter(Boolean),
      ),
  ),
  docsEnabled: setting('DOCS_ENABLED', booleanFlag.default(true)),
  // In production, without SMTP_URL, confirmation emails would only be logged: refuse to start
  // unless that is what the operator wants.
  mailLogOnly: setting('MAIL_LOG_ONLY', booleanFlag.default(false)),
  smtpUrl: setting(
    'SMTP_URL',
    z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional(),
  ),
  mailFrom: setting(
    'MAIL_FROM',
    z.string().min(3).max(200).default('Broadsheet <no-reply@localhost>'),
  ),
  mailRetryDelayMs: setting('MAIL_RETRY_DELAY_MS', wholeNumber(1, 600_000).default(2000)),
  articleUrlTemplate: setting(
    'ARTICLE_URL_TEMPLATE',
    z
      .string()
      .max(500)
      .regex(/^\{site\}/, 'must start with {site}')
      .regex(/\{(?:slug|id)\}/, 'must contain {slug} or {id}')
      .refine(...knownTokens(articleUrlTokens))
      .default('{site}/{language}/{slug}'),
  ),
  tagUrlTemplate: setting('TAG_URL_TEMPLATE', recordUrlTemplate('{site}/tags/{slug}')),
  authorUrlTemplate: setting('AUTHOR_URL_TEMPLATE', recordUrlTemplate('{site}/authors/{slug}')),
  pageUrlTemplate: setting('PAGE_URL_TEMPLATE', recordUrlTemplate('{site}/{slug}')),
  // The publication's name in feeds (and, later, sitemaps and structured data).
  newsPublicationName: setting(
    'NEWS_PUBLICATION_NAME',
    z.string().min(1).max(200).default('Broadsheet'),
  ),
  feedItems: setting('FEED_ITEMS', wholeNumber(1, 100).default(20)),
  sitemapUrlsPerFile: setting('SITEMAP_URLS_PER_FILE', wholeNumber(1, 50_000).default(50_000)),
  newsSitemapUrlsPerFile: setting('NEWS_SITEMAP_URLS_PER_FILE', wholeNumber(1, 1000).default(1000)),
  previewUrlTemplate: setting(
    'PREVIEW_URL_TEMPLATE',
    z
      .string()
      .max(500)
      .regex(/^\{(?:site|api)\}/, 'must start with {site} or {api}')
      .regex(/\{token\}/, 'must contain {token}')
      .regex(/\{(?:slug|id)\}/, 'must contain {slug} or {id}')
      .refine(...knownTokens(previewUrlTokens))
      .default('{api}/v1/preview/articles/{id}?token={token}'),
  ),
  // Never in production: lets webhooks reach loopback and private addresses, and plain http.
  webhooksAllowPrivateTargets: setting(
    'WEBHOOKS_ALLOW_PRIVATE_TARGETS',
    booleanFlag.default(false),
  ),
  webhookTimeoutMs: setting('WEBHOOK_TIMEOUT_MS', wholeNumber(100, 60_000).default(15_000)),
  webhookPollMs: setting('WEBHOOK_POLL_MS', wholeNumber(50, 600_000).default(1000)),
  webhookLogRetentionDays: setting('WEBHOOK_LOG_RETENTION_DAYS', wholeNumber(1, 3650).default(30)),
  // false: this instance writes events but another one sends them.
  webhookRelay: setting('WEBHOOK_RELAY', booleanFlag.default(true)),
  // CDN purges, sent from the webhook outbox: set both of a pair to turn one on.
  fastlyServiceId: setting(
    'FASTLY_SERVICE_ID',
    z
      .string()
      .regex(/^[A-Za-z0-9]{1,64}$/)
      .optional(),
  ),
  fastlyApiToken: setting('FASTLY_API_TOKEN', z.string().min(8).max(500).optional()),
  // Soft purges mark objects stale, so Fastly may still serve them while it fetches anew.
  fastlySoftPurge: setting('FASTLY_SOFT_PURGE', booleanFlag.default(true)),
  fastlyApiUrl: setting('FASTLY_API_URL', baseUrl.default('https://api.fastly.com')),
  cloudflareZoneId: setting(
    'CLOUDFLARE_ZONE_ID',
    z
      .string()
      .regex(/^[A-Za-z0-9]{1,64}$/)
      .optional(),
  ),
  cloudflareApiToken: setting('CLOUDFLARE_API_TOKEN', z.string().min(8).max(500).optional()),
  cloudflareApiUrl: setting(
    'CLOUDFLARE_API_URL',
    baseUrl.default('https://api.cloudflare.com/client/v4'),
  ),
  // Photo uploads: where files are kept, how big they may be, which renditions readers get.
  mediaStorage: setting('MEDIA_STORAGE', z.enum(['disk', 's3']).default('disk')),
  mediaDir: setting('MEDIA_DIR', z.string().min(1).default('./data/media')),
  // Where readers fetch variants: this API's /media by default; a CDN or the bucket's own
  // address when set (the API's /media then redirects there).
  mediaUrl: setting('MEDIA_URL', baseUrl.optional()),
  // false: this instance makes no renditions and leaves the uploads' background job to others.
  mediaRenditions: setting('MEDIA_RENDITIONS', booleanFlag.default(true)),
  uploadMaxMb: setting('UPLOAD_MAX_MB', wholeNumber(1, 500).default(25)),
  uploadMaxMegapixels: setting('UPLOAD_MAX_MEGAPIXELS', wholeNumber(1, 1000).default(100)),
  mediaWidths: setting(
    'MEDIA_WIDTHS',
    z
      .string()
      .regex(/^\d+(,\d+)*$/, 'must be widths in pixels separated by commas')
      .transform((value) => [...new Set(value.split(',').map(Number))].sort((a, b) => a - b))
      .pipe(z.array(z.number().int().min(16).max(8192)).min(1).max(12))
      .default([320, 640, 1024, 1600, 2400]),
  ),
  s3Bucket: setting(
    'S3_BUCKET',
    z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a bucket name')
      .optional(),
  ),
  s3Region: setting('S3_REGION', z.string().min(1).max(64).default('us-east-1')),
  s3Endpoint: setting('S3_ENDPOINT', baseUrl.optional()),
  s3ForcePathStyle: setting('S3_FORCE_PATH_STYLE', booleanFlag.default(false)),
  s3AccessKeyId: setting('S3_ACCESS_KEY_ID', z.string().min(1).max(256).optional()),
  s3SecretAccessKey: setting('S3_SECRET_ACCESS_KEY', z.string().min(1).max(256).optional()),
  s3Prefix: setting(
    'S3_PREFIX',
    z
      .string()
      .regex(/^([a-z0-9][a-z0-9-]*\/)*$/, 'must be empty or path segments ending in /')
      .default(''),
  ),
} as const;

type Settings = typeof settings;
type Parsed = { [K in keyof Settings]: z.output<Settings[K]['schema']> };

/** The parsed configuration: every setting above, with the API's own address always known. */
export type Config = Omit<Parsed, 'publicApiUrl'> & { publicApiUrl: string };

const envSchema = z.object(
  Object.fromEntries(Object.values(settings).map(({ variable, schema }) => [variable, schema])),
);

const secretVariables = new Set([
  'SMTP_URL',
  'DATABASE_URL',
  'FASTLY_API_TOKEN',
  'CLOUDFLARE_API_TOKEN',
  'S3_SECRET_ACCESS_KEY',
]);

/** Settings that work only together: one without the other is a mistake, not a default. */
const pairs = [
  ['FASTLY_SERVICE_ID', 'FASTLY_API_TOKEN'],
  ['CLOUDFLARE_ZONE_ID', 'CLOUDFLARE_API_TOKEN'],
  ['S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'],
] as const;

export type TrustProxy = boolean | number | string[];

function parseTrustProxy(value: string, ctx: z.RefinementCtx): TrustProxy {
  const trimmed = value.trim().toLowerCase();
  if (['', 'false', '0', 'off', 'no'].includes(trimmed)) return false;
  if (['true', 'on', 'yes'].includes(trimmed)) return true;
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const addresses = trimmed
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  if (addresses.every((address) => /^[0-9a-f.:/]+$/.test(address))) return addresses;
  ctx.addIssue({
    code: 'custom',
    message: 'must be false, true, a hop count, or a comma-separated list of proxy addresses/CIDRs',
  });
  return z.NEVER;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads `.env` from the working directory into the environment, if there is one, so the server
 * and the CLI in a second terminal open the same database without exporting anything. Variables
 * already set in the environment win.
 */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

/** Parses the environment once. Empty strings count as unset so `FOO=` falls back to the default. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(
    Object.keys(envSchema.shape)
      .map((key) => [key, env[key]])
      .filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const variable = String(issue.path[0] ?? 'environment');
        // Never echo a value that may hold a credential.
        const shown = secretVariables.has(variable)
          ? '[redacted]'
          : JSON.stringify(present[variable] ?? '');
        return `${variable}: ${issue.message} (got ${shown})`;
      }),
    );
  }
  const values = parsed.data as Record<string, unknown>;
  const unpaired = pairs.flatMap(([first, second]) =>
    (values[first] === undefined) === (values[second] === undefined)
      ? []
      : [
          `${values[first] === undefined ? first : second}: must be set together with ${values[first] === undefined ? second : first}`,
        ],
  );
  if (
    values[settings.mediaStorage.variable] === 's3' &&
    values[settings.s3Bucket.variable] === undefined
  )
    unpaired.push('S3_BUCKET: must be set when MEDIA_STORAGE=s3');
  if (unpaired.length > 0) throw new ConfigError(unpaired);
  if (values[settings.production.variable] === true) {
    // The defaults serve a laptop; in production they would mail readers links to localhost.
    const problems: string[] = [];
    for (const variable of ['SITE_URL', 'PUBLIC_API_URL'] as const) {
      const value = present[variable];
      if (value === undefined) problems.push(`${variable}: must be set when NODE_ENV=production`);
      else if (!String(value).startsWith('https://'))
        problems.push(
          `${variable}: must be an https:// URL when NODE_ENV=production (got ${JSON.stringify(value)})`,
        );
    }
    if (
      values[settings.smtpUrl.variable] === undefined &&
      values[settings.mailLogOnly.variable] !== true
    )
      problems.push(
        'SMTP_URL: must be set when NODE_ENV=production (or set MAIL_LOG_ONLY=true to log emails instead of sending them)',
      );
    if (problems.length > 0) throw new ConfigError(problems);
  }
  const config = Object.fromEntries(
    Object.entries(settings).map(([key, { variable }]) => [key, values[variable]]),
  ) as Parsed;
  return {
    ...config,
    publicApiUrl: config.publicApiUrl ?? `http://${config.host}:${config.port}`,
  };
}
