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
});

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
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
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
        return `${variable}: ${issue.message} (got ${JSON.stringify(present[variable] ?? '')})`;
      }),
    );
  }
  const values = parsed.data;
  return {
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
  };
}
