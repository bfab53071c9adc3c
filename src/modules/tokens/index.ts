import type { AppModule, ModuleDeps } from '../shared/module.ts';
import { tokenAdminRoutes } from './tokens.admin.routes.ts';
import { createTokensRepository } from './tokens.repository.ts';
import { createTokensService } from './tokens.service.ts';

export function createTokensModule(
  deps: Omit<ModuleDeps, 'changed'> & { onBackgroundError: (error: unknown) => void },
) {
  const service = createTokensService({
    repository: createTokensRepository(deps.store),
    clock: deps.clock,
    onBackgroundError: deps.onBackgroundError,
  });
  const module: AppModule = {
    openApiTag: 'Tokens',
    publicRoutes: [],
    adminRoutes: [{ prefix: '/v1/admin/tokens', plugin: tokenAdminRoutes(service) }],
  };
  return { service, module };
}
