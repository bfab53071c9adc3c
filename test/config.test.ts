import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

describe('configuration', () => {
  it('has defaults that serve local use', () => {
    expect(loadConfig({})).toMatchObject({
      host: '127.0.0.1',
      port: 3000,
      databasePath: './data/broadsheet.db',
      databaseSynchronous: 'FULL',
      logLevel: 'info',
      corsOrigins: [],
      trustProxy: false,
      publicCacheMaxAge: 60,
      publicCacheStaleWhileRevalidate: 600,
      seedDemo: true,
    });
  });

  it('parses every variable', () => {
    const config = loadConfig({
      HOST: '0.0.0.0',
      PORT: '8080',
      DATABASE_PATH: '/data/b.db',
      DATABASE_SYNCHRONOUS: 'NORMAL',
      LOG_LEVEL: 'warn',
      CORS_ORIGINS: 'https://a.example, https://b.example',
      TRUST_PROXY: '10.0.0.0/8,127.0.0.1',
      PUBLIC_CACHE_MAX_AGE: '0',
      SEED_DEMO: 'false',
      BODY_LIMIT_BYTES: '2048',
    });
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 8080,
      databaseSynchronous: 'NORMAL',
      corsOrigins: ['https://a.example', 'https://b.example'],
      trustProxy: ['10.0.0.0/8', '127.0.0.1'],
      publicCacheMaxAge: 0,
      seedDemo: false,
      bodyLimitBytes: 2048,
    });
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '' }).port).toBe(3000);
  });

  it.each([
    ['PORT', '0x10'],
    ['PORT', '70000'],
    ['PORT', '1e3'],
    ['LOG_LEVEL', 'verbose'],
    ['DATABASE_SYNCHRONOUS', 'OFF'],
    ['CORS_ORIGINS', 'javascript:alert(1)'],
    ['CORS_ORIGINS', 'https://a.example/'],
    ['TRUST_PROXY', 'maybe'],
    ['SEED_DEMO', 'sure'],
    ['PUBLIC_CACHE_MAX_AGE', '-1'],
  ])('fails fast naming %s for %j', (variable, value) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [variable]: value })).toThrow(new RegExp(`${variable}:`));
  });

  it('reports every bad variable at once', () => {
    try {
      loadConfig({ PORT: 'x', LOG_LEVEL: 'loud' });
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).problems).toHaveLength(2);
    }
  });
});

describe('production configuration', () => {
  const production = {
    NODE_ENV: 'production',
    SITE_URL: 'https://www.example.org',
    PUBLIC_API_URL: 'https://api.example.org',
    SMTP_URL: 'smtp://mail.example.org:587',
  };

  it('starts with https site and API URLs and an SMTP server', () => {
    expect(loadConfig(production)).toMatchObject({ production: true, docsEnabled: true });
  });

  it.each([
    ['SITE_URL', { SITE_URL: undefined }, 'SITE_URL: must be set'],
    ['PUBLIC_API_URL', { PUBLIC_API_URL: undefined }, 'PUBLIC_API_URL: must be set'],
    ['an http SITE_URL', { SITE_URL: 'http://www.example.org' }, 'SITE_URL: must be an https://'],
    ['SMTP_URL', { SMTP_URL: undefined }, 'MAIL_LOG_ONLY=true'],
  ])('refuses to start without %s', (_name, change, message) => {
    const env = { ...production, ...change };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('runs without SMTP only when told to, and can switch the docs UI off', () => {
    expect(
      loadConfig({
        ...production,
        SMTP_URL: undefined,
        MAIL_LOG_ONLY: 'true',
        DOCS_ENABLED: 'false',
      }),
    ).toMatchObject({ mailLogOnly: true, docsEnabled: false, smtpUrl: undefined });
  });
});
