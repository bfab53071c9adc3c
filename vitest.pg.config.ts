import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.ts';

// The same suite on PostgreSQL: `npm run test:pg` (see test/postgres/global-setup.ts).
export default mergeConfig(
  base,
  defineConfig({
    test: { globalSetup: ['test/postgres/global-setup.ts'] },
  }),
);
