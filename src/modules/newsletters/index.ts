import type { RateLimiter } from '../../lib/rate-limit.ts';
import type { Mailer } from '../../mail.ts';
import type { PagesRepository } from '../pages/pages.repository.ts';
import type { InstanceSecrets } from '../shared/instance-secrets.ts';
import type { AppModule, ModuleDeps } from '../shared/module.ts';
// First: its page references load the page schemas, whose components the document lists first.
import { createNewslettersService } from './newsletters.service.ts';
import { newsletterAdminRoutes } from './newsletters.admin.routes.ts';
import { newsletterPublicRoutes } from './newsletters.public.routes.ts';
import { createNewslettersRepository } from './newsletters.repository.ts';
import { signupAdminRoutes } from './signups.admin.routes.ts';
import { signupPublicRoutes, signupTokenRoutes } from './signups.public.routes.ts';
import { createSignupsRepository } from './signups.repository.ts';
import { createSignupsService, type SignupSettings, type SignupsLog } from './signups.service.ts';

/** Newsletters and their double opt-in signups. */
export function createNewslettersModule(
  deps: ModuleDeps & {
    pages: PagesRepository;
    mailer: Mailer;
    secrets: InstanceSecrets;
    settings: SignupSettings;
    log: SignupsLog;
    /** Per client address: a burst limit and an hourly one. */
    signupLimits: { perMinute: RateLimiter; perHour: RateLimiter };
    /** Where a browser's form post is sent back to (303) after a signup. */
    formRedirects: { thanksUrl: string; errorUrl: string };
  },
) {
  const repository = createNewslettersRepository(deps.store);
  const service = createNewslettersService({ ...deps, repository });
  const signups = createSignupsService({
    newsletters: repository,
    signups: createSignupsRepository(deps.store),
    mailer: deps.mailer,
    secrets: deps.secrets,
    settings: deps.settings,
    clock: deps.clock,
    log: deps.log,
    checkpoint: () => deps.store.checkpoint(),
  });
  const module: AppModule = {
    openApiTag: 'Newsletters',
    publicRoutes: [
      { prefix: '/v1/newsletters', plugin: newsletterPublicRoutes(service) },
      {
        prefix: '/v1/newsletters',
        plugin: signupPublicRoutes(signups, deps.signupLimits, deps.clock, deps.formRedirects),
      },
      { prefix: '/v1/newsletter-signups', plugin: signupTokenRoutes(signups) },
    ],
    adminRoutes: [
      { prefix: '/v1/admin/newsletters', plugin: newsletterAdminRoutes(service) },
      { prefix: '/v1/admin', plugin: signupAdminRoutes(signups) },
    ],
  };
  return { service, signups, module };
}
