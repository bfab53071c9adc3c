import sharp from 'sharp';
import type { EmbeddedChanged } from '../shared/embedded-changes.ts';
import type { AppModule, ModuleDeps } from '../shared/module.ts';
import { photoAdminRoutes } from './photos.admin.routes.ts';
import { photoFileRoutes } from './photos.media.routes.ts';
import { createPhotosRepository } from './photos.repository.ts';
import { createPhotosService } from './photos.service.ts';
import { photoUploadRoutes } from './photos.upload.routes.ts';
import { createPhotoUploads, type MediaSettings } from './photos.uploads.ts';

/**
 * How often each process looks for photo embargoes that have run out, for renditions to make and
 * for media files due to be removed.
 */
const checkMs = 1000;

export function createPhotosModule(
  deps: ModuleDeps & {
    embeddedChanged: EmbeddedChanged;
    onError: (error: unknown) => void;
    media: MediaSettings & {
      maxBytes: number;
      redirectTo?: string;
      /** Whether this process makes renditions (false: other instances do). */
      renditions: boolean;
    };
  },
) {
  const repository = createPhotosRepository(deps.store, deps.embeddedChanged);
  const service = createPhotosService({ ...deps, repository });
  const uploads = createPhotoUploads({ ...deps, repository });
  // libvips' own cache keeps decoded images for reuse, which uploads never need; one thread per
  // operation leaves the other core to public reads during an upload burst.
  sharp.cache(false);
  sharp.concurrency(1);

  /** Runs `work` unless its previous run is still going; `settled` is the run in flight. */
  function serially(work: () => Promise<unknown>) {
    let running: Promise<unknown> | undefined;
    return {
      start() {
        running ??= work()
          .catch(deps.onError)
          .finally(() => {
            running = undefined;
          });
      },
      settled: () => running ?? Promise.resolve(),
    };
  }
  const lifts = serially(() => service.liftDue());
  // One photo's renditions per run, then the next straight away until none is due.
  const stopping = new AbortController();
  const variants = serially(async () => {
    while (!stopping.signal.aborted && (await uploads.makeDueVariants(stopping.signal)));
  });
  // Any instance may remove files: removing one twice is harmless.
  const removals = serially(() => uploads.removeDueFiles());
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const module: AppModule = {
    openApiTag: 'Photos',
    publicRoutes: [],
    adminRoutes: [
      { prefix: '/v1/admin/photos', plugin: photoAdminRoutes(service) },
      {
        prefix: '/v1/admin/photos',
        plugin: photoUploadRoutes(uploads, {
          maxBytes: deps.media.maxBytes,
          // The renditions start at once here, not at the next check.
          uploaded: () => {
            if (!closed && deps.media.renditions) variants.start();
          },
        }),
      },
    ],
    fileRoutes: [
      {
        prefix: '/media',
        plugin: photoFileRoutes({
          storage: deps.media.storage,
          servable: service.servable,
          redirectTo: deps.media.redirectTo,
        }),
      },
    ],
    // An embargo lifts within a second of its time, on whichever instance looks first; until
    // then readers simply do not see the photo yet. Renditions are made the same way: the first
    // process to claim a photo makes them, and another takes over if it dies.
    ready: () => {
      timer = setInterval(() => {
        lifts.start();
        removals.start();
        if (deps.media.renditions) variants.start();
      }, checkMs);
      timer.unref();
    },
    close: async () => {
      closed = true;
      clearInterval(timer);
      stopping.abort();
      await Promise.all([lifts.settled(), variants.settled(), removals.settled()]);
      uploads.close();
      deps.media.storage.close();
    },
  };
  // Authors and articles embed photo records through the repository.
  return { service, uploads, repository, module };
}
