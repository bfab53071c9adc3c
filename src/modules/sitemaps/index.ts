import type { AppModule, ModuleDeps } from '../shared/module.ts';
import { createSitemapsRepository } from './sitemaps.repository.ts';
import { sitemapPublicRoutes } from './sitemaps.public.routes.ts';
import { createSitemapsService, type SitemapSettings } from './sitemaps.service.ts';

/** Sitemaps (sitemaps.org, Google News and image extensions) and robots.txt. */
export function createSitemapsModule(
  deps: Pick<ModuleDeps, 'store' | 'clock'> & { settings: SitemapSettings },
) {
  const service = createSitemapsService({
    repository: createSitemapsRepository(deps.store),
    clock: deps.clock,
    settings: deps.settings,
  });
  const module: AppModule = {
    openApiTag: 'Sitemaps',
    publicRoutes: [{ prefix: '', plugin: sitemapPublicRoutes(service) }],
    adminRoutes: [],
  };
  return { service, module };
}
