import { existsSync } from 'node:fs';
import { z } from 'zod';

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

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: wholeNumber(0, 65535).default(3000),
  DATABASE_PATH: z.string().min(1).default('./data/broadsheet.db'),
  DATABASE_SYNCHRONOUS: z.enum(['FULL', 'NORMAL']).default('FULL'),
  LOG_LEVEL: z.enum(logLevels).default('info'),
  CORS_ORIGINS: z
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
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((value, ctx) => parseTrustProxy(value, ctx)),
  PUBLIC_CACHE_MAX_AGE: wholeNumber(0, 31_536_000).default(60),
  PUBLIC_CACHE_STALE_WHILE_REVALIDATE: wholeNumber(0, 31_536_000).default(600),
  BODY_LIMIT_BYTES: wholeNumber(1024, 50 * 1024 * 1024).default(1024 * 1024),
  REQUEST_TIMEOUT_MS: wholeNumber(100, 600_000).default(30_000),
  HEADERS_TIMEOUT_MS: wholeNumber(100, 600_000).default(10_000),
  KEEP_ALIVE_TIMEOUT_MS: wholeNumber(100, 600_000).default(5_000),
  SEED_DEMO: booleanFlag.default(true),
  RESPONSE_CACHE_MAX_ENTRIES: wholeNumber(0, 1_000_000).default(10_000),
  RESPONSE_CACHE_MAX_MB: wholeNumber(1, 4096).default(64),
  SITE_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:4321'),
  PUBLIC_API_URL: z.url({ protocol: /^https?$/ }).optional(),
  SIGNUP_CONFIRM_PATH: z
    .string()
    .regex(/^\/[^\s?#]*$/, 'must be a path starting with /')
    .default('/newsletter/confirm'),
  SIGNUP_UNSUBSCRIBE_PATH: z
    .string()
    .regex(/^\/[^\s?#]*$/, 'must be a path starting with /')
    .default('/newsletter/unsubscribe'),
  SIGNUP_THANKS_URL: z.url({ protocol: /^https?$/ }).optional(),
  SIGNUP_ERROR_URL: z.url({ protocol: /^https?$/ }).optional(),
  SIGNUP_CONFIRMATION_TTL_HOURS: wholeNumber(1, 24 * 30).default(48),
  SEARCH_THREADS: wholeNumber(0, 16).default(1),
  SEARCH_BUDGET_MS: wholeNumber(10, 60_000).default(1000),
  SEARCH_MAX_QUEUE: wholeNumber(1, 10_000).default(64),
  RATE_LIMIT_PER_MINUTE: wholeNumber(1, 100_000_000).default(1200),
  SIGNUP_RATE_LIMIT: wholeNumber(1, 100_000).default(10),
  SIGNUP_CONFIRMATIONS_PER_HOUR: wholeNumber(1, 1_000_000).default(500),
  SIGNUPS_PER_CLIENT_PER_HOUR: wholeNumber(1, 1_000_000).default(30),
  SIGNUP_PENDING_RETENTION_DAYS: wholeNumber(1, 3650).default(30),
  BLOCKED_EMAIL_DOMAINS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((domain) => domain.trim().toLowerCase())
        .filter(Boolean),
    ),
  DOCS_ENABLED: booleanFlag.default(true),
  // In production, without SMTP_URL, confirmation emails would only be logged: refuse to start
  // unless that is what the operator wants.
  MAIL_LOG_ONLY: booleanFlag.default(false),
  SMTP_URL: z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional(),
  MAIL_FROM: z.string().min(3).max(200).default('Broadsheet <no-reply@localhost>'),
  MAIL_RETRY_DELAY_MS: wholeNumber(1, 600_000).default(2000),
});

const secretVariables = new Set(['SMTP_URL']);

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

export interface Config {
  production: boolean;
  host: string;
  port: number;
  databasePath: string;
  databaseSynchronous: 'FULL' | 'NORMAL';
  logLevel: (typeof logLevels)[number];
  corsOrigins: string[];
  trustProxy: TrustProxy;
  publicCacheMaxAge: number;
  publicCacheStaleWhileRevalidate: number;
  bodyLimitBytes: number;
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  seedDemo: boolean;
  responseCacheMaxEntries: number;
  responseCacheMaxMb: number;
  siteUrl: string;
  publicApiUrl: string;
  signupConfirmPath: string;
  signupUnsubscribePath: string;
  /** Where a browser lands after posting the plain HTML signup form (default SITE_URL/newsletter/thanks). */
  signupThanksUrl: string | undefined;
  /** Where it lands when the signup was refused, with `?reason=<code>` (default SITE_URL/newsletter/error). */
  signupErrorUrl: string | undefined;
  signupConfirmationTtlHours: number;
  /** Worker threads for public search (0: on the main thread). */
  searchThreads: number;
  /** The most time one public search may take before it is stopped with a 503. */
  searchBudgetMs: number;
  searchMaxQueue: number;
  /** Requests per client address per minute, on every route (429 beyond it). */
  rateLimitPerMinute: number;
  signupRateLimit: number;
  signupConfirmationsPerHour: number;
  /** Signups one client may make in an hour: well below the global confirmation cap. */
  signupsPerClientPerHour: number;
  signupPendingRetentionDays: number;
  blockedEmailDomains: string[];
  /** Serve the API reference UI at /docs (the document at /openapi.json is always served). */
  docsEnabled: boolean;
  /** Production only: no SMTP_URL was given on purpose; emails are logged with links redacted. */
  mailLogOnly: boolean;
  smtpUrl: string | undefined;
  mailFrom: string;
  mailRetryDelayMs: number;
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
  const values = parsed.data;
  const production = values.NODE_ENV === 'production';
  if (production) {
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
    if (values.SMTP_URL === undefined && !values.MAIL_LOG_ONLY)
      problems.push(
        'SMTP_URL: must be set when NODE_ENV=production (or set MAIL_LOG_ONLY=true to log emails instead of sending them)',
      );
    if (problems.length > 0) throw new ConfigError(problems);
  }
  return {
    production,
    host: values.HOST,
    port: values.PORT,
    databasePath: values.DATABASE_PATH,
    databaseSynchronous: values.DATABASE_SYNCHRONOUS,
    logLevel: values.LOG_LEVEL,
    corsOrigins: values.CORS_ORIGINS,
    trustProxy: values.TRUST_PROXY,
    publicCacheMaxAge: values.PUBLIC_CACHE_MAX_AGE,
    publicCacheStaleWhileRevalidate: values.PUBLIC_CACHE_STALE_WHILE_REVALIDATE,
    bodyLimitBytes: values.BODY_LIMIT_BYTES,
    requestTimeoutMs: values.REQUEST_TIMEOUT_MS,
    headersTimeoutMs: values.HEADERS_TIMEOUT_MS,
    keepAliveTimeoutMs: values.KEEP_ALIVE_TIMEOUT_MS,
    seedDemo: values.SEED_DEMO,
    responseCacheMaxEntries: values.RESPONSE_CACHE_MAX_ENTRIES,
    responseCacheMaxMb: values.RESPONSE_CACHE_MAX_MB,
    siteUrl: values.SITE_URL.replace(/\/+$/, ''),
    publicApiUrl: (values.PUBLIC_API_URL ?? `http://${values.HOST}:${values.PORT}`).replace(
      /\/+$/,
      '',
    ),
    signupConfirmPath: values.SIGNUP_CONFIRM_PATH,
    signupUnsubscribePath: values.SIGNUP_UNSUBSCRIBE_PATH,
    signupThanksUrl: values.SIGNUP_THANKS_URL,
    signupErrorUrl: values.SIGNUP_ERROR_URL,
    signupConfirmationTtlHours: values.SIGNUP_CONFIRMATION_TTL_HOURS,
    searchThreads: values.SEARCH_THREADS,
    searchBudgetMs: values.SEARCH_BUDGET_MS,
    searchMaxQueue: values.SEARCH_MAX_QUEUE,
    rateLimitPerMinute: values.RATE_LIMIT_PER_MINUTE,
    signupRateLimit: values.SIGNUP_RATE_LIMIT,
    signupConfirmationsPerHour: values.SIGNUP_CONFIRMATIONS_PER_HOUR,
    signupsPerClientPerHour: values.SIGNUPS_PER_CLIENT_PER_HOUR,
    signupPendingRetentionDays: values.SIGNUP_PENDING_RETENTION_DAYS,
    blockedEmailDomains: values.BLOCKED_EMAIL_DOMAINS,
    docsEnabled: values.DOCS_ENABLED,
    mailLogOnly: values.MAIL_LOG_ONLY,
    smtpUrl: values.SMTP_URL,
    mailFrom: values.MAIL_FROM,
    mailRetryDelayMs: values.MAIL_RETRY_DELAY_MS,
  };
}
