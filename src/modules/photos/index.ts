import type { EmbeddedChanged } from '../shared/embedded-changes.ts';
import type { AppModule, ModuleDeps } from '../shared/module.ts';
import { photoAdminRoutes } from './photos.admin.routes.ts';
import { createPhotosRepository } from './photos.repository.ts';
import { createPhotosService } from './photos.service.ts';

export function createPhotosModule(deps: ModuleDeps & { embeddedChanged: EmbeddedChanged }) {
  const repository = createPhotosRepository(deps.store, deps.embeddedChanged);
  const service = createPhotosService({ ...deps, repository });
  const module: AppModule = {
    openApiTag: 'Photos',
    publicRoutes: [],
    adminRoutes: [{ prefix: '/v1/admin/photos', plugin: photoAdminRoutes(service) }],
  };
  // Authors and articles embed photo records through the repository.
  return { service, repository, module };
}
