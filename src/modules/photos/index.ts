import type { EmbeddedChanged } from '../shared/embedded-changes.ts';
import type { AppModule, ModuleDeps } from '../shared/module.ts';
import { photoAdminRoutes } from './photos.admin.routes.ts';
import { createPhotosRepository } from './photos.repository.ts';
import { createPhotosService } from './photos.service.ts';

/** How often each process looks for photo embargoes that have run out. */
const liftCheckMs = 1000;

export function createPhotosModule(
  deps: ModuleDeps & { embeddedChanged: EmbeddedChanged; onError: (error: unknown) => void },
) {
  const repository = createPhotosRepository(deps.store, deps.embeddedChanged);
  const service = createPhotosService({ ...deps, repository });
  let timer: NodeJS.Timeout | undefined;
  let lifting: Promise<unknown> = Promise.resolve();
  const module: AppModule = {
    openApiTag: 'Photos',
    publicRoutes: [],
    adminRoutes: [{ prefix: '/v1/admin/photos', plugin: photoAdminRoutes(service) }],
    // An embargo lifts within a second of its time, on whichever instance looks first; until
    // then readers simply do not see the photo yet.
    ready: () => {
      let busy = false;
      timer = setInterval(() => {
        if (busy) return;
        busy = true;
        lifting = service
          .liftDue()
          .catch(deps.onError)
          .finally(() => {
            busy = false;
          });
      }, liftCheckMs);
      timer.unref();
    },
    close: async () => {
      clearInterval(timer);
      await lifting;
    },
  };
  // Authors and articles embed photo records through the repository.
  return { service, repository, module };
}
