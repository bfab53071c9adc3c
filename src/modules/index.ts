import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import type { Store } from '../db/store.ts';
import { createRateLimiter } from '../lib/rate-limit.ts';
import { createMailer } from '../mail.ts';
import { createResponseCache } from '../plugins/response-cache.ts';
// Imported in this order on purpose: schemas register their OpenAPI components as they load.
import { createArticlesModule } from './articles/index.ts';
import {
  type ArticleDocuments,
  createArticleDocuments,
  documentRenderer,
} from './articles/articles.documents.ts';
import type { ArticleUrl } from './articles/articles.service.ts';
import { createAuthorsModule } from './authors/index.ts';
import { diskStorage } from '../lib/media-storage.ts';
import { createPhotosModule } from './photos/index.ts';
import { createReportsModule } from './reports/index.ts';
import { createTagsModule } from './tags/index.ts';
import { createNewslettersModule } from './newsletters/index.ts';
import { createAppealsModule } from './appeals/index.ts';
import { createPagesModule } from './pages/index.ts';
import { createTokensModule } from './tokens/index.ts';
import { createChangeFeed } from './shared/change-feed.ts';
import { configuredPurgers } from './webhooks/webhooks.purgers.ts';
import { createChangeLogReader } from './shared/change-log.ts';
import type { ContentChanged } from './shared/changes.ts';
import { loadInstanceSecrets } from './shared/instance-secrets.ts';
import type { AppModule } from './shared/module.ts';
import { articleUrl, previewUrl, recordUrl } from '../lib/site-urls.ts';
import { createPreviewsModule } from './previews/index.ts';
import { createFeedsModule } from './feeds/index.ts';
import { createSitemapsModule } from './sitemaps/index.ts';
import { createCorrectionsModule } from './corrections/index.ts';
import { createCollectionsModule } from './collections/index.ts';
import { createWebhooksModule } from './webhooks/index.ts';
import { type ResolveHost, resolveWithDns } from './webhooks/webhooks.sender.ts';

// The feature modules, built once and mounted by app.ts: a new resource is one more entry here.

/** The services the CLI, the seed and tests call directly (the routes call the same ones). */
export type AppServices = Awaited<ReturnType<typeof createModules>>['services'];

/** Mounts each module's routes of one audience, every operation tagged with the module's tag. */
export async function mountModules(
  scope: FastifyInstance,
  modules: readonly AppModule[],
  audience: 'public' | 'admin' | 'preview' | 'files',
): Promise<void> {
  for (const module of modules) {
    const routes = {
      public: module.publicRoutes,
      admin: module.adminRoutes,
      preview: module.previewRoutes ?? [],
      files: module.fileRoutes ?? [],
    }[audience];
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
 * Documents missing or of an older renderer (a new database, an upgrade) are rendered before
 * the app serves, so every published article has one; the log says how far it got.
 */
async function renderDueDocuments(
  documents: ArticleDocuments,
  app: FastifyInstance,
): Promise<void> {
  let lastLogged = 0;
  const rendered = await documents.rebuild({
    onProgress: ({ done, total }) => {
      if (done === total || Date.now() - lastLogged > 2000) {
        lastLogged = Date.now();
        app.log.info({ done, total }, 'rendering article documents');
      }
    },
  });
  if (rendered > 0) app.log.info({ rendered }, 'article documents rendered');
}

/**
 * Every feature module, built once, in the order their routes appear in the document. Public
 * responses are cached in memory and dropped precisely when a write changes them: services
 * report the content keys each change touched.
 */
export async function createModules(
  app: FastifyInstance,
  config: Config,
  store: Store,
  now: () => Date,
  resolveHost: ResolveHost = resolveWithDns,
) {
  const clock = { now };
  const responseCache = createResponseCache({
    maxEntries: config.publicCacheMaxAge === 0 ? 0 : config.responseCacheMaxEntries,
    maxBytes: config.responseCacheMaxMb * 1024 * 1024,
    maxAgeMs: config.publicCacheMaxAge * 1000,
    now,
  });
  // Every change may have announced webhook events in its transaction: the relay looks at once.
  const webhooks = createWebhooksModule({
    store,
    clock,
    settings: {
      allowPrivateTargets: config.webhooksAllowPrivateTargets,
      timeoutMs: config.webhookTimeoutMs,
      pollMs: config.webhookPollMs,
      retentionMs: config.webhookLogRetentionDays * 86_400_000,
      resolve: resolveHost,
      relay: config.webhookRelay,
      purgers: configuredPurgers(config),
    },
    onError: (error) => app.log.warn({ err: error }, 'webhook delivery failed'),
  });
  await webhooks.syncPurgers();
  const changed: ContentChanged = (keys) => {
    responseCache.invalidate(keys);
    webhooks.relay.wake();
  };
  // Changes committed by other processes over the same database (the CLI, other instances)
  // reach this one's cache through the change log.
  const changeFeed = createChangeFeed({
    reader: createChangeLogReader(store),
    apply: (keys) => {
      responseCache.invalidate(keys);
      webhooks.relay.wake();
    },
    dropAll: () => responseCache.clear(),
    intervalMs: config.changePollMs,
    retentionMs: config.changeLogRetentionHours * 3_600_000,
    now,
    onError: (error) => app.log.warn({ err: error }, 'reading the change log failed'),
    watch: store.watchChanges,
  });
  app.addHook('onReady', () => changeFeed.start());
  app.addHook('onClose', () => changeFeed.stop());
  const deps = { store, changed, clock };
  const tokens = createTokensModule({
    ...deps,
    onBackgroundError: (error) => app.log.warn({ err: error }, 'background write failed'),
  });
  // Published articles' public documents are rendered inside every write that changes what they
  // show: an article's own, or an author's, tag's or photo's it embeds.
  const frontendArticleUrl: ArticleUrl = (article) =>
    articleUrl(config.articleUrlTemplate, config.siteUrl, article);
  const authorPage = (author: { slug: string }) =>
    recordUrl(config.authorUrlTemplate, config.siteUrl, author);
  const renderer = documentRenderer(
    frontendArticleUrl,
    `${config.articleUrlTemplate}\n${config.siteUrl}`,
  );
  const documents = createArticleDocuments(store, now, changed, renderer);
  await renderDueDocuments(documents, app);
  const { embeddedChanged } = documents;
  const mediaStorage =
    config.mediaStorage === 's3' && config.s3Bucket !== undefined
      ? (await import('../lib/s3-storage.ts')).s3Storage({
          bucket: config.s3Bucket,
          region: config.s3Region,
          endpoint: config.s3Endpoint,
          forcePathStyle: config.s3ForcePathStyle,
          accessKeyId: config.s3AccessKeyId,
          secretAccessKey: config.s3SecretAccessKey,
          prefix: config.s3Prefix,
        })
      : diskStorage(config.mediaDir);
  const photos = createPhotosModule({
    ...deps,
    embeddedChanged,
    onError: (error) => app.log.warn({ err: error }, 'photo background work failed'),
    media: {
      storage: mediaStorage,
      publicUrl: config.mediaUrl ?? `${config.publicApiUrl}/media`,
      redirectTo: config.mediaUrl,
      maxPixels: config.uploadMaxMegapixels * 1_000_000,
      maxBytes: config.uploadMaxMb * 1_048_576,
      widths: config.mediaWidths,
      renditions: config.mediaRenditions,
    },
  });
  const articles = createArticlesModule({
    ...deps,
    photos: photos.repository,
    documents,
    search: {
      threads: config.searchThreads,
      budgetMs: config.searchBudgetMs,
      maxQueue: config.searchMaxQueue,
    },
    onSearchError: (error) => app.log.warn({ err: error }, 'search thread failed'),
    articleUrl: frontendArticleUrl,
    structuredData: {
      publicationName: config.newsPublicationName,
      siteUrl: config.siteUrl,
      authorUrl: authorPage,
    },
  });
  const { visibility } = articles;
  const previews = createPreviewsModule({
    ...deps,
    findArticle: articles.findWithEmbeds,
    renderer,
    previewUrl: (article, token) =>
      previewUrl(config.previewUrlTemplate, {
        site: config.siteUrl,
        api: config.publicApiUrl,
        article,
        token,
      }),
  });
  const feeds = createFeedsModule({
    ...deps,
    articles: articles.publicRepository,
    settings: {
      items: config.feedItems,
      publicationName: config.newsPublicationName,
      siteUrl: config.siteUrl,
      apiUrl: config.publicApiUrl,
      tagUrl: (tag) => recordUrl(config.tagUrlTemplate, config.siteUrl, tag),
      authorUrl: authorPage,
    },
  });
  const sitemaps = createSitemapsModule({
    ...deps,
    settings: {
      siteUrl: config.siteUrl,
      urlsPerFile: config.sitemapUrlsPerFile,
      newsPerFile: config.newsSitemapUrlsPerFile,
      publicationName: config.newsPublicationName,
      articleUrl: frontendArticleUrl,
      pageUrl: (page) => recordUrl(config.pageUrlTemplate, config.siteUrl, page),
      nextDueAt: (now) => articles.publicRepository.nextDueAt(now),
    },
  });
  const reports = createReportsModule({ ...deps, articleUrl: frontendArticleUrl });
  const corrections = createCorrectionsModule({
    ...deps,
    articleUrl: frontendArticleUrl,
    nextDueAt: (now) => articles.publicRepository.nextDueAt(now),
    feed: {
      items: config.feedItems,
      publicationName: config.newsPublicationName,
      siteUrl: config.siteUrl,
      apiUrl: config.publicApiUrl,
    },
  });
  const collections = createCollectionsModule({
    ...deps,
    nextDueAt: (now) => articles.publicRepository.nextDueAt(now),
  });
  const authors = createAuthorsModule({
    ...deps,
    photos: photos.repository,
    visibility,
    embeddedChanged,
  });
  const tags = createTagsModule({ ...deps, visibility, embeddedChanged });
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
      previews.module,
      collections.module,
      feeds.module,
      sitemaps.module,
      corrections.module,
      authors.module,
      photos.module,
      reports.module,
      tags.module,
      newsletters.module,
      pages.module,
      appeals.module,
      tokens.module,
      webhooks.module,
    ],
    services: {
      tokens: tokens.service,
      authors: authors.service,
      photos: photos.service,
      tags: tags.service,
      articles: articles.service,
      collections: collections.service,
      previews: previews.service,
      newsletters: newsletters.service,
      pages: pages.service,
      appeals: appeals.service,
      signups: newsletters.signups,
      responseCache,
      documents,
      changeFeed,
      webhooks: { service: webhooks.service, relay: webhooks.relay },
    },
  };
}
