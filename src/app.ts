import cors from '@fastify/cors';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { DestinationStream, Logger } from 'pino';
import type { Config, TrustProxy } from './config.ts';
import { openStore } from './db/open.ts';
import type { Store } from './db/store.ts';
import { redactSecrets } from './lib/redact.ts';
import { createLogger } from './logger.ts';
import { healthRoutes } from './modules/health/health.routes.ts';
import { type AppServices, createModules, mountModules } from './modules/index.ts';
import { registerBearerAuth } from './plugins/auth.ts';
import { clientErrorResponse, registerErrorHandlers } from './plugins/error-handler.ts';
import {
  registerCacheTags,
  registerNoStore,
  registerPrivatePreview,
} from './plugins/http-cache.ts';
import { registerCachedPublicResponses } from './plugins/response-cache.ts';
import { describeAccess, registerOpenApi } from './plugins/openapi.ts';
import { registerRateLimit } from './plugins/rate-limit.ts';
import { registerRequestValidation } from './plugins/request-validation.ts';
import { compiledSerializer } from './plugins/serializer.ts';
import type { ResolveHost } from './modules/webhooks/webhooks.sender.ts';

export type { AppServices };

export interface AppOptions {
  config: Config;
  /** An already-open store; by default the one the config names (DATABASE_URL or DATABASE_PATH). */
  store?: Store;
  /** The clock. Tests move time forward through it instead of sleeping. */
  now?: () => Date;
  /** Where log lines go (default stdout). */
  logDestination?: DestinationStream;
  /** How webhook targets' names are resolved (default DNS); tests answer for made-up names. */
  resolveHost?: ResolveHost;
}

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
    (await openStore(config, (error) =>
      logger.warn({ err: error }, 'a database connection failed; the pool opens a new one'),
    ));

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

  registerRequestValidation(app);
  app.setSerializerCompiler(compiledSerializer);
  // Only JSON bodies are accepted (a route may add a parser it needs); text/plain would
  // otherwise reach handlers as a string.
  app.removeContentTypeParser('text/plain');

  // onClose hooks run last-registered first: the store closes after every module has stopped
  // its background work (the change feed, the signup purge, the search threads).
  if (options.store === undefined) {
    app.addHook('onClose', async () => store.close());
  }
  const { modules, services } = await createModules(app, config, store, now, options.resolveHost);
  for (const { ready, close } of modules) {
    if (ready !== undefined) app.addHook('onReady', async () => ready());
    if (close !== undefined) app.addHook('onClose', close);
  }
  app.decorate('store', store);
  app.decorate('services', services);

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
    allowedHeaders: ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match', 'Preview-Token'],
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
    if (config.cloudflareZoneId !== undefined) registerCacheTags(scope);
    await mountModules(scope, modules, 'public');
  });

  // Uploaded photos' renditions: content-addressed files, immutable, outside the response cache.
  await app.register(async (scope) => {
    describeAccess(scope, 'Public: needs no credentials. Files that never change under their URL.');
    await mountModules(scope, modules, 'files');
  });

  // Draft previews: a token in the URL or a header opens one article; private, never indexed,
  // never stored by this cache, a CDN or a browser, and the token never leaves in a Referer.
  await app.register(async (scope) => {
    describeAccess(scope, 'Needs the article’s preview token. Never cached.');
    registerPrivatePreview(scope);
    await mountModules(scope, modules, 'preview');
  });

  // Editor API: bearer token, role per route, never cached.
  await app.register(async (scope) => {
    registerNoStore(scope);
    registerBearerAuth(scope, services.tokens.authenticate);
    await mountModules(scope, modules, 'admin');
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  return app;
}
