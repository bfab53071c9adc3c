import type { AppModule, ModuleDeps } from '../shared/module.ts';
import { collectionAdminRoutes } from './collections.admin.routes.ts';
import { createPublicCollectionsService } from './collections.public.service.ts';
import { collectionPublicRoutes } from './collections.public.routes.ts';
import {
  createCollectionsRepository,
  createPublicCollectionsRepository,
} from './collections.repository.ts';
import { createCollectionsService } from './collections.service.ts';

/** Curated fronts and sections: editors pin and order, a rule fills the rest. */
export function createCollectionsModule(
  deps: ModuleDeps & { nextDueAt: (now: Date) => Promise<number | null> },
) {
  const service = createCollectionsService({
    repository: createCollectionsRepository(deps.store),
    changed: deps.changed,
    clock: deps.clock,
  });
  const publicService = createPublicCollectionsService({
    repository: createPublicCollectionsRepository(deps.store),
    clock: deps.clock,
    nextDueAt: deps.nextDueAt,
  });
  const module: AppModule = {
    openApiTag: 'Collections',
    publicRoutes: [{ prefix: '/v1/collections', plugin: collectionPublicRoutes(publicService) }],
    adminRoutes: [{ prefix: '/v1/admin/collections', plugin: collectionAdminRoutes(service) }],
  };
  return { service, publicService, module };
}
