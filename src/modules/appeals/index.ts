import type { AppModule, ModuleDeps } from '../shared/module.ts';
import { appealAdminRoutes } from './appeals.admin.routes.ts';
import { appealPublicRoutes } from './appeals.public.routes.ts';
import { createAppealsRepository } from './appeals.repository.ts';
import { createAppealsService } from './appeals.service.ts';

export function createAppealsModule(deps: ModuleDeps) {
  const service = createAppealsService({
    ...deps,
    repository: createAppealsRepository(deps.store),
  });
  const module: AppModule = {
    openApiTag: 'Appeals',
    publicRoutes: [{ prefix: '/v1/appeals', plugin: appealPublicRoutes(service, deps.clock) }],
    adminRoutes: [{ prefix: '/v1/admin/appeals', plugin: appealAdminRoutes(service) }],
  };
  return { service, module };
}
