import type { ContentKey } from './content-keys.ts';

/**
 * Told after a write commits which public content it changed, as typed content keys
 * (content-keys.ts). The response cache drops what depends on them; a CDN purge and the change
 * log hang off the same call.
 */
export type ContentChanged = (keys: readonly ContentKey[]) => void;
