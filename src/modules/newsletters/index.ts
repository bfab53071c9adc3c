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
    log: SignupsLog & { info(fields: Record<string, unknown>, message: string): void };
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
  // Unconfirmed signups past their retention are purged soon after start and then every hour,
  // never on the way to readiness (a large backlog would hold up the start).
  const purgeUnconfirmed = () =>
    signups.purgeUnconfirmed().then(
      (purged) => {
        if (purged > 0) deps.log.info({ purged }, 'purged unconfirmed signups past retention');
      },
      (error: unknown) => deps.log.warn({ err: error }, 'purging unconfirmed signups failed'),
    );
  let purgeTimer: NodeJS.Timeout | undefined;
  let startupPurge: Promise<void> | undefined;
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
    ready: () => {
      startupPurge = new Promise<void>((resolve) => setImmediate(resolve)).then(purgeUnconfirmed);
      purgeTimer = setInterval(() => void purgeUnconfirmed(), 3_600_000);
      purgeTimer.unref();
    },
    close: async () => {
      clearInterval(purgeTimer);
      await startupPurge;
    },
  };
  return { service, signups, module };
}
