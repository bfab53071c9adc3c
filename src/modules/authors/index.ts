import type { PhotosRepository } from '../photos/photos.repository.ts';
import type { EmbeddedChanged } from '../shared/embedded-changes.ts';
import type { AppModule, ModuleDeps } from '../shared/module.ts';
import type { PublicVisibility } from '../shared/routes.ts';
import { authorAdminRoutes } from './authors.admin.routes.ts';
import { authorPublicRoutes } from './authors.public.routes.ts';
import { createAuthorsRepository } from './authors.repository.ts';
import { createAuthorsService } from './authors.service.ts';

export function createAuthorsModule(
  deps: ModuleDeps & {
    embeddedChanged: EmbeddedChanged;
    photos: PhotosRepository;
    visibility: PublicVisibility;
  },
) {
  const service = createAuthorsService({
    ...deps,
    repository: createAuthorsRepository(deps.store, deps.embeddedChanged),
  });
  const module: AppModule = {
    openApiTag: 'Authors',
    publicRoutes: [{ prefix: '/v1/authors', plugin: authorPublicRoutes(service, deps.visibility) }],
    adminRoutes: [{ prefix: '/v1/admin/authors', plugin: authorAdminRoutes(service) }],
  };
  return { service, module };
}
