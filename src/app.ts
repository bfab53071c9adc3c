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
import {
  articlePublicRoutes,
  type PublicSearch,
} from './modules/articles/articles.public.routes.ts';
import { createPublicSearchIndexer } from './modules/articles/public-search.ts';
import { createSearchRunner } from './workers/search-pool.ts';
import { createPublicArticlesRepository } from './modules/articles/articles.public.repository.ts';
import { createArticlesRepository } from './modules/articles/articles.repository.ts';
import { articleAdminRoutes } from './modules/articles/articles.admin.routes.ts';
import {
  type ArticlesService,
  createArticlesService,
} from './modules/articles/articles.service.ts';
import { authorAdminRoutes } from './modules/authors/authors.admin.routes.ts';
import { authorPublicRoutes } from './modules/authors/authors.public.routes.ts';
import {
  type AuthorsRepository,
  createAuthorsRepository,
} from './modules/authors/authors.repository.ts';
import { healthRoutes } from './modules/health/health.routes.ts';
import { photoAdminRoutes } from './modules/photos/photos.admin.routes.ts';
import {
  createPhotosRepository,
  type PhotosRepository,
} from './modules/photos/photos.repository.ts';
import { tagAdminRoutes } from './modules/tags/tags.admin.routes.ts';
import { tagPublicRoutes } from './modules/tags/tags.public.routes.ts';
import { createTagsRepository, type TagsRepository } from './modules/tags/tags.repository.ts';
import {
  createNewslettersRepository,
  type NewslettersRepository,
} from './modules/newsletters/newsletters.repository.ts';
import { newsletterAdminRoutes } from './modules/newsletters/newsletters.admin.routes.ts';
import { newsletterPublicRoutes } from './modules/newsletters/newsletters.public.routes.ts';
import { signupAdminRoutes } from './modules/newsletters/signups.admin.routes.ts';
import { createSignupsRepository } from './modules/newsletters/signups.repository.ts';
import {
  signupPublicRoutes,
  signupTokenRoutes,
} from './modules/newsletters/signups.public.routes.ts';
import {
  createSignupsService,
  type SignupsService,
} from './modules/newsletters/signups.service.ts';
import type { ContentChanged } from './modules/shared/changes.ts';
import { loadInstanceSecrets } from './modules/shared/instance-secrets.ts';
import { createMailer } from './mail.ts';
import { createRateLimiter } from './lib/rate-limit.ts';
import { appealAdminRoutes } from './modules/appeals/appeals.admin.routes.ts';
import { appealPublicRoutes } from './modules/appeals/appeals.public.routes.ts';
import {
  type AppealsRepository,
  createAppealsRepository,
} from './modules/appeals/appeals.repository.ts';
import { pageAdminRoutes } from './modules/pages/pages.admin.routes.ts';
import { pagePublicRoutes } from './modules/pages/pages.public.routes.ts';
import { createPagesRepository, type PagesRepository } from './modules/pages/pages.repository.ts';
import { createTokensRepository } from './modules/tokens/tokens.repository.ts';
import { tokenAdminRoutes } from './modules/tokens/tokens.admin.routes.ts';
import { createTokensService, type TokensService } from './modules/tokens/tokens.service.ts';
import { registerBearerAuth } from './plugins/auth.ts';
import { clientErrorResponse, registerErrorHandlers } from './plugins/error-handler.ts';
import { registerNoStore } from './plugins/http-cache.ts';
import {
  createResponseCache,
  registerCachedPublicResponses,
  type ResponseCache,
} from './plugins/response-cache.ts';
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

export interface AppServices {
  tokens: TokensService;
  authors: AuthorsRepository;
  photos: PhotosRepository;
  tags: TagsRepository;
  articles: ArticlesService;
  responseCache: ResponseCache;
  newsletters: NewslettersRepository;
  pages: PagesRepository;
  appeals: AppealsRepository;
  signups: SignupsService;
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

  const tokensRepository = createTokensRepository(store);
  const tokens = createTokensService({
    repository: tokensRepository,
    now,
    onBackgroundError: (error) => app.log.warn({ err: error }, 'background write failed'),
  });
  // Public responses are cached in memory and dropped precisely when a write changes them;
  // repositories report what they changed. Never staler than a CDN honouring max-age would be.
  const responseCache = createResponseCache({
    maxEntries: config.publicCacheMaxAge === 0 ? 0 : config.responseCacheMaxEntries,
    maxBytes: config.responseCacheMaxMb * 1024 * 1024,
    maxAgeMs: config.publicCacheMaxAge * 1000,
    now,
  });
  const changed: ContentChanged = (keys) => responseCache.invalidate(keys);
  const photos = createPhotosRepository(store, changed);
  const authors = createAuthorsRepository(store, photos, changed);
  const tags = createTagsRepository(store, changed);
  const clock = { now };
  const articles = createArticlesService({
    repository: createArticlesRepository(store, photos, changed),
    now,
  });
  const publicArticles = createPublicArticlesRepository(store);
  const publicSearchIndex = createPublicSearchIndexer(store);
  const searchRunner = createSearchRunner(
    {
      databasePath: store.file,
      threads: config.searchThreads,
      budgetMs: config.searchBudgetMs,
      maxQueue: config.searchMaxQueue,
    },
    publicArticles,
    (error) => app.log.warn({ err: error }, 'search thread failed'),
  );
  app.addHook('onClose', async () => searchRunner.close());
  const publicSearch: PublicSearch = async (task) => {
    // Scheduled articles that fell due since the last search join the index first.
    await publicSearchIndex.indexDue(task.now);
    return searchRunner.search(task);
  };
  const pages = createPagesRepository(store, changed);
  const appeals = createAppealsRepository(store, changed);
  const newsletters = createNewslettersRepository(store, pages, changed);
  const signupsRepository = createSignupsRepository(store);
  const mailer = createMailer({
    smtpUrl: config.smtpUrl,
    from: config.mailFrom,
    retryDelayMs: config.mailRetryDelayMs,
    log: app.log,
    // Links in logged (unsent) emails work: fine on a laptop, a leak in production.
    logLinks: !config.production,
  });
  app.addHook('onClose', async () => mailer.close());
  const signups = createSignupsService({
    newsletters,
    signups: signupsRepository,
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
    now,
    log: app.log,
    checkpoint: () => store.checkpoint(),
  });
  const signupLimits = {
    perMinute: createRateLimiter({ limit: config.signupRateLimit, windowMs: 60_000 }),
    perHour: createRateLimiter({ limit: config.signupsPerClientPerHour, windowMs: 3_600_000 }),
  };
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
  app.decorate('services', {
    tokens,
    authors,
    photos,
    tags,
    articles,
    newsletters,
    pages,
    appeals,
    responseCache,
    signups,
  });
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
    registerCachedPublicResponses(scope, responseCache, {
      maxAge: config.publicCacheMaxAge,
      staleWhileRevalidate: config.publicCacheStaleWhileRevalidate,
      maxAgeMs: config.publicCacheMaxAge * 1000,
      now,
    });
    await scope.register(articlePublicRoutes(publicArticles, clock, publicSearch), {
      prefix: '/v1/articles',
    });
    const visibility = { now, nextChangeAt: (at: Date) => publicArticles.nextDueAt(at) };
    await scope.register(authorPublicRoutes(authors, visibility), { prefix: '/v1/authors' });
    await scope.register(tagPublicRoutes(tags, visibility), { prefix: '/v1/tags' });
    await scope.register(newsletterPublicRoutes(newsletters), { prefix: '/v1/newsletters' });
    await scope.register(
      signupPublicRoutes(signups, signupLimits, clock, {
        thanksUrl: config.signupThanksUrl ?? `${config.siteUrl}/newsletter/thanks`,
        errorUrl: config.signupErrorUrl ?? `${config.siteUrl}/newsletter/error`,
      }),
      {
        prefix: '/v1/newsletters',
      },
    );
    await scope.register(signupTokenRoutes(signups), { prefix: '/v1/newsletter-signups' });
    await scope.register(pagePublicRoutes(pages), { prefix: '/v1/pages' });
    await scope.register(appealPublicRoutes(appeals, clock), { prefix: '/v1/appeals' });
  });

  // Editor API: bearer token, role per route, never cached.
  await app.register(async (scope) => {
    registerNoStore(scope);
    registerBearerAuth(scope, tokens.authenticate);
    await scope.register(articleAdminRoutes(articles), { prefix: '/v1/admin/articles' });
    await scope.register(authorAdminRoutes(authors, clock), { prefix: '/v1/admin/authors' });
    await scope.register(photoAdminRoutes(photos, clock), { prefix: '/v1/admin/photos' });
    await scope.register(tagAdminRoutes(tags, clock), { prefix: '/v1/admin/tags' });
    await scope.register(newsletterAdminRoutes(newsletters, clock), {
      prefix: '/v1/admin/newsletters',
    });
    await scope.register(signupAdminRoutes(newsletters, signupsRepository, signups), {
      prefix: '/v1/admin',
    });
    await scope.register(pageAdminRoutes(pages, clock), { prefix: '/v1/admin/pages' });
    await scope.register(appealAdminRoutes(appeals, clock), { prefix: '/v1/admin/appeals' });
    await scope.register(tokenAdminRoutes(tokens), { prefix: '/v1/admin/tokens' });
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  return app;
}
