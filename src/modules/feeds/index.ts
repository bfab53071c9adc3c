import type { PublicArticlesRepository } from '../articles/articles.public.repository.ts';
import type { AppModule, ModuleDeps } from '../shared/module.ts';
import { feedPublicRoutes } from './feeds.public.routes.ts';
import { createFeedsRepository } from './feeds.repository.ts';
import { createFeedsService, type FeedSettings } from './feeds.service.ts';

/** RSS and Atom feeds of the published articles. */
export function createFeedsModule(
  deps: Pick<ModuleDeps, 'store' | 'clock'> & {
    articles: Pick<PublicArticlesRepository, 'list' | 'nextDueAt'>;
    settings: FeedSettings;
  },
) {
  const service = createFeedsService({
    repository: createFeedsRepository(deps.store),
    articles: deps.articles,
    clock: deps.clock,
    settings: deps.settings,
  });
  const module: AppModule = {
    openApiTag: 'Feeds',
    publicRoutes: [{ prefix: '/v1/feeds', plugin: feedPublicRoutes(service) }],
    adminRoutes: [],
  };
  return { service, module };
}
