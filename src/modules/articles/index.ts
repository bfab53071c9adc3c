import { createSearchRunner, type SearchPoolOptions } from '../../workers/search-pool.ts';
import type { PhotosRepository } from '../photos/photos.repository.ts';
import type { AppModule, ModuleDeps } from '../shared/module.ts';
import type { PublicVisibility } from '../shared/routes.ts';
import { articleAdminRoutes } from './articles.admin.routes.ts';
import type { ArticleDocuments } from './articles.documents.ts';
import { createPublicArticlesRepository } from './articles.public.repository.ts';
import { articlePublicRoutes } from './articles.public.routes.ts';
import { createPublicArticlesService, type PublicSearch } from './articles.public.service.ts';
import { createArticlesRepository } from './articles.repository.ts';
import { createRevisionsRepository } from './articles.revisions.ts';
import { createCorrectionsRepository } from '../corrections/corrections.repository.ts';
import { createPublicSearchIndexer } from './articles.search-index.ts';
import { createPublicSearchRepository } from './articles.search.repository.ts';
import { type ArticleUrl, createArticlesService } from './articles.service.ts';
import type { StructuredDataSettings } from './articles.structured-data.ts';

/** Articles: the editorial workflow, the public reads, and public search on its own threads. */
export function createArticlesModule(
  deps: ModuleDeps & {
    photos: PhotosRepository;
    documents: ArticleDocuments;
    search: Omit<SearchPoolOptions, 'databasePath' | 'entry'>;
    onSearchError: (error: unknown) => void;
    /** Where the frontend shows an article (ARTICLE_URL_TEMPLATE), for webhook payloads. */
    articleUrl: ArticleUrl;
    /** Who publishes, and where bylines live, for NewsArticle JSON-LD. */
    structuredData: StructuredDataSettings;
  },
) {
  const { store, clock } = deps;
  const repository = createArticlesRepository(store, deps.photos, deps.documents.render);
  const service = createArticlesService({
    repository,
    corrections: createCorrectionsRepository(store),
    revisions: createRevisionsRepository(store),
    changed: deps.changed,
    clock,
    articleUrl: deps.articleUrl,
  });
  const searchRunner = createSearchRunner(
    { ...deps.search, databasePath: store.file },
    createPublicSearchRepository(store, deps.search.budgetMs),
    deps.onSearchError,
  );
  const publicSearchIndex = createPublicSearchIndexer(store);
  const search: PublicSearch = async (task) => {
    // Scheduled articles that fell due since the last search join the index first.
    await publicSearchIndex.indexDue(task.now);
    return searchRunner.search(task);
  };
  const publicRepository = createPublicArticlesRepository(store);
  const publicService = createPublicArticlesService({
    repository: publicRepository,
    search,
    clock,
    structuredData: deps.structuredData,
    refreshDocuments: deps.documents.refresh,
  });
  /** What every public answer about authors and tags depends on: which articles are visible. */
  const visibility: PublicVisibility = {
    now: () => clock.now(),
    nextChangeAt: (at) => publicService.nextDueAt(at),
  };
  const module: AppModule = {
    openApiTag: 'Articles',
    publicRoutes: [{ prefix: '/v1/articles', plugin: articlePublicRoutes(publicService) }],
    adminRoutes: [{ prefix: '/v1/admin/articles', plugin: articleAdminRoutes(service) }],
    close: () => searchRunner.close(),
  };
  return {
    service,
    publicService,
    publicRepository,
    visibility,
    module,
    findWithEmbeds: repository.findWithEmbeds,
  };
}
