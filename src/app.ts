import cors from '@fastify/cors';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { serializerCompiler } from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { DestinationStream, Logger } from 'pino';
import type { Config, TrustProxy } from './config.ts';
import { openSqliteStore } from './db/sqlite.ts';
import type { Store } from './db/store.ts';
import { redactSecrets } from './lib/redact.ts';
import { createLogger } from './logger.ts';
import { createMailer } from './mail.ts';
import { createRateLimiter } from './lib/rate-limit.ts';
// Imported in this order on purpose: schemas register their OpenAPI components as they load.
import { createArticlesModule } from './modules/articles/index.ts';
import { createAuthorsModule } from './modules/authors/index.ts';
import { healthRoutes } from './modules/health/health.routes.ts';
import { createPhotosModule } from './modules/photos/index.ts';
import { createTagsModule } from './modules/tags/index.ts';
import { createNewslettersModule } from './modules/newsletters/index.ts';
import { createAppealsModule } from './modules/appeals/index.ts';
import { createPagesModule } from './modules/pages/index.ts';
import { createTokensModule } from './modules/tokens/index.ts';
import type { ContentChanged } from './modules/shared/changes.ts';
import { loadInstanceSecrets } from './modules/shared/instance-secrets.ts';
import type { AppModule, MountedRoutes } from './modules/shared/module.ts';
import { registerBearerAuth } from './plugins/auth.ts';
import { clientErrorResponse, registerErrorHandlers } from './plugins/error-handler.ts';
import { registerNoStore } from './plugins/http-cache.ts';
import { createResponseCache, registerCachedPublicResponses } from './plugins/response-cache.ts';
import { describeAccess, registerOpenApi } from './plugins/openapi.ts';
import { registerRateLimit } from './plugins/rate-limit.ts';
import { registerStrictQueryNumbers } from './plugins/query-numbers.ts';

export interface AppOptions {
  config: Config;
  /** An already-open store; by default one is opened at `config.databasePath`. */
  store?: Store;
  /** The clock. Tests move time forward through it instead of sleeping. */
  now?: () => Date;
  /** Where log lines go (default stdout). */
  logDestination?: DestinationStream;
}

/** The services the CLI, the seed and tests call directly (the routes call the same ones). */
export type AppServices = Awaited<ReturnType<typeof createModules>>['services'];

declare module 'fastify' {
  interface FastifyInstance {
    store: Store;
    services: AppServices;
  }
}

/** A hop count means: trust that many proxies in front of us (as Express and Fastify do). */
function trustProxyOption(value: TrustProxy) {
  if (typeof value !== 'number') return value;
  return (_address: string, hop: number) => hop < value;
}

const requestIdPattern = /^[A-Za-z0-9._:-]{8,128}$/;

/** The one place the application is assembled: used by the server, the CLI, tests and benchmarks. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config } = options;
  const now = options.now ?? (() => new Date());
  const logger: Logger = createLogger(config.logLevel, options.logDestination);
  const store =
    options.store ??
    openSqliteStore({ path: config.databasePath, synchronous: config.databaseSynchronous });

  const app = Fastify<Server, IncomingMessage, ServerResponse, FastifyBaseLogger>({
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: trustProxyOption(config.trustProxy),
    bodyLimit: config.bodyLimitBytes,
    // Routes are matched exactly: `/v1/admin/authors/` and `/V1/...` are 404s, never a bypass.
    routerOptions: {
      ignoreTrailingSlash: false,
      ignoreDuplicateSlashes: false,
      caseSensitive: true,
    },
    forceCloseConnections: 'idle',
    clientErrorHandler: (error, socket) => {
      const response = clientErrorResponse(error);
      if (response !== null && socket.writable) socket.write(response);
      socket.destroy(error);
    },
    // A client-supplied id is kept when it looks like one (a CDN's or proxy's), for tracing.
    genReqId: (request) => {
      const inbound = request.headers['x-request-id'];
      return typeof inbound === 'string' && requestIdPattern.test(inbound) ? inbound : randomUUID();
    },
    // Node's own timeouts, set at construction: Fastify's requestTimeout option alone did not cut
    // slow-body clients on this stack (RELIABILITY.md rule 7).
    serverFactory: (handler) =>
      createServer(
        {
          requestTimeout: config.requestTimeoutMs,
          headersTimeout: config.headersTimeoutMs,
          keepAliveTimeout: config.keepAliveTimeoutMs,
          connectionsCheckingInterval: Math.min(1000, Math.ceil(config.headersTimeoutMs / 2)),
        },
        handler,
      ),
  });

  registerStrictQueryNumbers(app);
  app.setSerializerCompiler(serializerCompiler);
  // Only JSON bodies are accepted (a route may add a parser it needs); text/plain would
  // otherwise reach handlers as a string.
  app.removeContentTypeParser('text/plain');

  const { modules, services, signups } = await createModules(app, config, store, now);
  for (const module of modules) {
    const { close } = module;
    if (close !== undefined) app.addHook('onClose', close);
  }
  // Unconfirmed signups past their retention are purged soon after start and then every hour,
  // never on the way to readiness (a large backlog would hold up the start).
  const purgeUnconfirmed = () =>
    signups.purgeUnconfirmed().then(
      (purged) => {
        if (purged > 0) app.log.info({ purged }, 'purged unconfirmed signups past retention');
      },
      (error: unknown) => app.log.warn({ err: error }, 'purging unconfirmed signups failed'),
    );
  const purgeTimer = setInterval(() => void purgeUnconfirmed(), 3_600_000);
  purgeTimer.unref();
  let startupPurge: Promise<void> | undefined;
  app.addHook('onReady', async () => {
    startupPurge = new Promise<void>((resolve) => setImmediate(resolve)).then(purgeUnconfirmed);
  });
  app.addHook('onClose', async () => {
    clearInterval(purgeTimer);
    await startupPurge;
  });
  app.decorate('store', store);
  app.decorate('services', services);
  if (options.store === undefined) {
    app.addHook('onClose', async () => store.close());
  }

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        url: redactSecrets(request.url),
        statusCode: reply.statusCode,
        responseTimeMs: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request completed',
    );
  });

  registerErrorHandlers(app);
  registerRateLimit(app, { perMinute: config.rateLimitPerMinute, now });
  await app.register(cors, {
    origin: config.corsOrigins.length > 0 ? config.corsOrigins : false,
    methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match'],
    exposedHeaders: [
      'ETag',
      'Location',
      'Retry-After',
      'X-Request-Id',
      'RateLimit',
      'RateLimit-Policy',
    ],
    maxAge: 600,
  });
  await registerOpenApi(app, { docsUi: config.docsEnabled });

  await app.register(
    async (scope) => {
      describeAccess(scope, 'Needs no credentials. Never cached.');
      await scope.register(healthRoutes(() => store.ready()));
    },
    { prefix: '/health' },
  );

  // Public content API: no credentials, published content only, cacheable.
  await app.register(async (scope) => {
    describeAccess(
      scope,
      'Public: needs no credentials. Content routes serve published content only.',
    );
    registerCachedPublicResponses(scope, services.responseCache, {
      maxAge: config.publicCacheMaxAge,
      staleWhileRevalidate: config.publicCacheStaleWhileRevalidate,
      maxAgeMs: config.publicCacheMaxAge * 1000,
      now,
    });
    await mountAll(scope, modules, (module) => module.publicRoutes);
  });

  // Editor API: bearer token, role per route, never cached.
  await app.register(async (scope) => {
    registerNoStore(scope);
    registerBearerAuth(scope, services.tokens.authenticate);
    await mountAll(scope, modules, (module) => module.adminRoutes);
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  return app;
}

/** Mounts each module's routes of one audience, every operation tagged with the module's tag. */
async function mountAll(
  scope: FastifyInstance,
  modules: readonly AppModule[],
  routesOf: (module: AppModule) => MountedRoutes[],
): Promise<void> {
  for (const module of modules) {
    const routes = routesOf(module);
    if (routes.length === 0) continue;
    await scope.register(async (moduleScope) => {
      moduleScope.addHook('onRoute', (route) => {
        route.schema = { ...route.schema, tags: route.schema?.tags ?? [module.openApiTag] };
      });
      for (const { prefix, plugin } of routes) await moduleScope.register(plugin, { prefix });
    });
  }
}

/**
 * Every feature module, built once, in the order their routes appear in the document. Public
 * responses are cached in memory and dropped precisely when a write changes them: services
 * report the content keys each change touched.
 */
async function createModules(app: FastifyInstance, config: Config, store: Store, now: () => Date) {
  const clock = { now };
  const responseCache = createResponseCache({
    maxEntries: config.publicCacheMaxAge === 0 ? 0 : config.responseCacheMaxEntries,
    maxBytes: config.responseCacheMaxMb * 1024 * 1024,
    maxAgeMs: config.publicCacheMaxAge * 1000,
    now,
  });
  const changed: ContentChanged = (keys) => responseCache.invalidate(keys);
  const deps = { store, changed, clock };
  const tokens = createTokensModule({
    ...deps,
    onBackgroundError: (error) => app.log.warn({ err: error }, 'background write failed'),
  });
  const photos = createPhotosModule(deps);
  const articles = createArticlesModule({
    ...deps,
    photos: photos.repository,
    search: {
      threads: config.searchThreads,
      budgetMs: config.searchBudgetMs,
      maxQueue: config.searchMaxQueue,
    },
    onSearchError: (error) => app.log.warn({ err: error }, 'search thread failed'),
  });
  const { visibility } = articles;
  const authors = createAuthorsModule({ ...deps, photos: photos.repository, visibility });
  const tags = createTagsModule({ ...deps, visibility });
  const pages = createPagesModule(deps);
  const appeals = createAppealsModule(deps);
  const mailer = createMailer({
    smtpUrl: config.smtpUrl,
    from: config.mailFrom,
    retryDelayMs: config.mailRetryDelayMs,
    log: app.log,
    // Links in logged (unsent) emails work: fine on a laptop, a leak in production.
    logLinks: !config.production,
  });
  app.addHook('onClose', async () => mailer.close());
  const newsletters = createNewslettersModule({
    ...deps,
    pages: pages.repository,
    mailer,
    secrets: await loadInstanceSecrets(store),
    settings: {
      siteUrl: config.siteUrl,
      publicApiUrl: config.publicApiUrl,
      confirmPath: config.signupConfirmPath,
      unsubscribePath: config.signupUnsubscribePath,
      confirmationTtlMs: config.signupConfirmationTtlHours * 3_600_000,
      confirmationsPerHour: config.signupConfirmationsPerHour,
      blockedDomains: config.blockedEmailDomains,
      pendingRetentionMs: config.signupPendingRetentionDays * 86_400_000,
    },
    log: app.log,
    signupLimits: {
      perMinute: createRateLimiter({ limit: config.signupRateLimit, windowMs: 60_000 }),
      perHour: createRateLimiter({ limit: config.signupsPerClientPerHour, windowMs: 3_600_000 }),
    },
    formRedirects: {
      thanksUrl: config.signupThanksUrl ?? `${config.siteUrl}/newsletter/thanks`,
      errorUrl: config.signupErrorUrl ?? `${config.siteUrl}/newsletter/error`,
    },
  });
  return {
    modules: [
      articles.module,
      authors.module,
      photos.module,
      tags.module,
      newsletters.module,
      pages.module,
      appeals.module,
      tokens.module,
    ],
    services: {
      tokens: tokens.service,
      authors: authors.service,
      photos: photos.service,
      tags: tags.service,
      articles: articles.service,
      publicArticles: articles.publicService,
      newsletters: newsletters.service,
      pages: pages.service,
      appeals: appeals.service,
      signups: newsletters.signups,
      responseCache,
    },
    signups: newsletters.signups,
  };
}
