import type { AppModule, ModuleDeps } from '../shared/module.ts';
import { pageAdminRoutes } from './pages.admin.routes.ts';
import { pagePublicRoutes } from './pages.public.routes.ts';
import { createPagesRepository } from './pages.repository.ts';
import { createPagesService } from './pages.service.ts';

export function createPagesModule(deps: ModuleDeps) {
  const repository = createPagesRepository(deps.store);
  const service = createPagesService({ ...deps, repository });
  const module: AppModule = {
    openApiTag: 'Pages',
    publicRoutes: [{ prefix: '/v1/pages', plugin: pagePublicRoutes(service) }],
    adminRoutes: [{ prefix: '/v1/admin/pages', plugin: pageAdminRoutes(service) }],
  };
  // Newsletters resolve their privacy-policy links through the repository.
  return { service, repository, module };
}
