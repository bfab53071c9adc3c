import type { DocumentRenderer } from '../articles/articles.documents.ts';
import type { ArticleWithEmbeds } from '../articles/articles.embed.ts';
import type { AppModule, ModuleDeps } from '../shared/module.ts';
import { previewKeyRoutes, previewLinkRoutes } from './previews.admin.routes.ts';
import { previewPublicRoutes } from './previews.public.routes.ts';
import { createPreviewsRepository } from './previews.repository.ts';
import { createPreviewsService, type PreviewUrl } from './previews.service.ts';

/** Draft previews: signed links for editors, and the article behind them for their holders. */
export function createPreviewsModule(
  deps: Pick<ModuleDeps, 'store' | 'clock'> & {
    findArticle: (id: string) => Promise<ArticleWithEmbeds | undefined>;
    previewUrl: PreviewUrl;
    renderer: DocumentRenderer;
  },
) {
  const service = createPreviewsService({
    repository: createPreviewsRepository(deps.store),
    findArticle: deps.findArticle,
    clock: deps.clock,
    previewUrl: deps.previewUrl,
    renderer: deps.renderer,
  });
  const module: AppModule = {
    openApiTag: 'Previews',
    publicRoutes: [],
    previewRoutes: [{ prefix: '/v1/preview/articles', plugin: previewPublicRoutes(service) }],
    adminRoutes: [
      { prefix: '/v1/admin/articles', plugin: previewLinkRoutes(service) },
      { prefix: '/v1/admin/previews', plugin: previewKeyRoutes(service) },
    ],
  };
  return { service, module };
}
