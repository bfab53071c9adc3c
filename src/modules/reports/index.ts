import type { ArticleUrl } from '../articles/articles.service.ts';
import type { AppModule, ModuleDeps } from '../shared/module.ts';
import { reportAdminRoutes } from './reports.admin.routes.ts';
import { createReportsRepository } from './reports.repository.ts';
import { createReportsService } from './reports.service.ts';

/** Editors' reports over published content (read only: no keys, no webhooks). */
export function createReportsModule(
  deps: Pick<ModuleDeps, 'store' | 'clock'> & { articleUrl: ArticleUrl },
) {
  const service = createReportsService({
    repository: createReportsRepository(deps.store),
    clock: deps.clock,
    articleUrl: deps.articleUrl,
  });
  const module: AppModule = {
    openApiTag: 'Reports',
    publicRoutes: [],
    adminRoutes: [{ prefix: '/v1/admin/reports', plugin: reportAdminRoutes(service) }],
  };
  return { service, module };
}
