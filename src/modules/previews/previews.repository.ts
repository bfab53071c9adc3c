import type { Store } from '../../db/store.ts';
import { readInstanceSecret, rotateInstanceSecret } from '../shared/instance-secrets.ts';

// The key preview links are signed with, kept with the instance's other secrets. It is read per
// use, so a rotation by one instance closes old links on every instance at once.

export function createPreviewsRepository(store: Store) {
  return {
    key: () => readInstanceSecret(store, 'preview-key'),
    rotateKey: () => rotateInstanceSecret(store, 'preview-key'),
  };
}

export type PreviewsRepository = ReturnType<typeof createPreviewsRepository>;
