import type { EmbeddedChanged } from '../shared/embedded-changes.ts';
import type { AppModule, ModuleDeps } from '../shared/module.ts';
import type { PublicVisibility } from '../shared/routes.ts';
import { tagAdminRoutes } from './tags.admin.routes.ts';
import { tagPublicRoutes } from './tags.public.routes.ts';
import { createTagsRepository } from './tags.repository.ts';
import { createTagsService } from './tags.service.ts';

export function createTagsModule(
  deps: ModuleDeps & { embeddedChanged: EmbeddedChanged; visibility: PublicVisibility },
) {
  const service = createTagsService({
    ...deps,
    repository: createTagsRepository(deps.store, deps.embeddedChanged),
  });
  const module: AppModule = {
    openApiTag: 'Tags',
    publicRoutes: [{ prefix: '/v1/tags', plugin: tagPublicRoutes(service, deps.visibility) }],
    adminRoutes: [{ prefix: '/v1/admin/tags', plugin: tagAdminRoutes(service) }],
  };
  return { service, module };
}
