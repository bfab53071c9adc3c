import type { ArticleUrl } from '../articles/articles.service.ts';
import type { AppModule, ModuleDeps } from '../shared/module.ts';
import { correctionPublicRoutes } from './corrections.public.routes.ts';
import { createCorrectionsRepository } from './corrections.repository.ts';
import { createPublicCorrectionsService } from './corrections.service.ts';

/** The public corrections list; editors make corrections on the article (articles module). */
export function createCorrectionsModule(
  deps: Pick<ModuleDeps, 'store' | 'clock'> & {
    articleUrl: ArticleUrl;
    nextDueAt: (now: Date) => Promise<number | null>;
  },
) {
  const service = createPublicCorrectionsService({
    repository: createCorrectionsRepository(deps.store),
    clock: deps.clock,
    articleUrl: deps.articleUrl,
    nextDueAt: deps.nextDueAt,
  });
  const module: AppModule = {
    openApiTag: 'Corrections',
    publicRoutes: [{ prefix: '/v1/corrections', plugin: correctionPublicRoutes(service) }],
    adminRoutes: [],
  };
  return { service, module };
}
