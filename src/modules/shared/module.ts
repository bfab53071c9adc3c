import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Store } from '../../db/store.ts';
import type { ContentChanged } from './changes.ts';
import type { Clock } from './clock.ts';

/** Route plugins and where they are mounted. */
export interface MountedRoutes {
  prefix: string;
  plugin: FastifyPluginAsyncZod;
}

/**
 * A feature as app.ts mounts it: public routes under the public scope (cached, no credentials),
 * admin routes under the editor scope (bearer token, never cached), every operation tagged
 * `openApiTag` in the document; preview routes in a private scope of their own. Each module's
 * index.ts builds one with `createXModule(deps)`.
 */
export interface AppModule {
  openApiTag: string;
  publicRoutes: MountedRoutes[];
  adminRoutes: MountedRoutes[];
  /** Token-holders' routes (draft previews): no credentials, private, never cached. */
  previewRoutes?: MountedRoutes[];
  /** Files readers fetch (photo renditions): no credentials; each answer sets its own caching. */
  fileRoutes?: MountedRoutes[];
  /** Starts background work once the app is ready (never on the way to readiness). */
  ready?: () => void;
  /** Releases what the module holds (threads, timers) when the app closes. */
  close?: () => Promise<void>;
}

/** What every module is built from. */
export interface ModuleDeps {
  store: Store;
  /** Told which content keys a committed write touched. */
  changed: ContentChanged;
  clock: Clock;
}
