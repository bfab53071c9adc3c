import type { AppModule, ModuleDeps } from '../shared/module.ts';
import { webhookAdminRoutes } from './webhooks.admin.routes.ts';
import { createRelay } from './webhooks.relay.ts';
import { createWebhooksRepository } from './webhooks.repository.ts';
import type { Purger } from './webhooks.purgers.ts';
import { createWebhookSender, type ResolveHost } from './webhooks.sender.ts';
import { createWebhooksService } from './webhooks.service.ts';

export interface WebhooksSettings {
  allowPrivateTargets: boolean;
  timeoutMs: number;
  pollMs: number;
  retentionMs: number;
  resolve: ResolveHost;
  /** Whether this instance sends (WEBHOOK_RELAY); the outbox is written either way. */
  relay: boolean;
  /** CDN purges the environment configures. */
  purgers: readonly Purger[];
}

export function createWebhooksModule(
  deps: Omit<ModuleDeps, 'changed'> & {
    settings: WebhooksSettings;
    onError: (error: unknown) => void;
  },
) {
  const { store, clock, settings } = deps;
  const repository = createWebhooksRepository(store);
  const relay = createRelay({
    repository,
    sender: createWebhookSender({
      timeoutMs: settings.timeoutMs,
      allowPrivateTargets: settings.allowPrivateTargets,
      resolve: settings.resolve,
    }),
    purgers: settings.purgers,
    timeoutMs: settings.timeoutMs,
    now: clock.now,
    pollMs: settings.pollMs,
    // An attempt takes at most the timeout; the lease outlasts it with room to record it.
    leaseMs: settings.timeoutMs * 2 + 30_000,
    retentionMs: settings.retentionMs,
    onError: deps.onError,
  });
  const service = createWebhooksService({
    repository,
    relay,
    clock,
    allowPrivateTargets: settings.allowPrivateTargets,
  });
  const module: AppModule = {
    openApiTag: 'Webhooks',
    publicRoutes: [],
    adminRoutes: [{ prefix: '/v1/admin/webhooks', plugin: webhookAdminRoutes(service) }],
    ready: () => {
      if (settings.relay) relay.start();
    },
    close: () => relay.stop(),
  };
  return {
    service,
    relay,
    module,
    /** At start-up, on every instance: the purge endpoints follow the environment. */
    syncPurgers: () => repository.syncPurgers(settings.purgers, clock.now()),
  };
}
