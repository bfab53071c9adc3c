import type { ArticleUrl } from '../articles/articles.service.ts';
import type { AppModule, ModuleDeps } from '../shared/module.ts';
import { correctionFeedRoutes, correctionPublicRoutes } from './corrections.public.routes.ts';
import { createCorrectionsRepository } from './corrections.repository.ts';
import {
  type CorrectionFeedSettings,
  createPublicCorrectionsService,
} from './corrections.service.ts';

/** The public corrections list; editors make corrections on the article (articles module). */
export function createCorrectionsModule(
  deps: Pick<ModuleDeps, 'store' | 'clock'> & {
    articleUrl: ArticleUrl;
    nextDueAt: (now: Date) => Promise<number | null>;
    feed: CorrectionFeedSettings;
  },
) {
  const service = createPublicCorrectionsService({
    repository: createCorrectionsRepository(deps.store),
    clock: deps.clock,
    articleUrl: deps.articleUrl,
    nextDueAt: deps.nextDueAt,
    feed: deps.feed,
  });
  const module: AppModule = {
    openApiTag: 'Corrections',
    publicRoutes: [
      { prefix: '/v1/corrections', plugin: correctionPublicRoutes(service) },
      { prefix: '/v1/feeds', plugin: correctionFeedRoutes(service) },
    ],
    adminRoutes: [],
  };
  return { service, module };
}
