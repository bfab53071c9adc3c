import { defineConfig } from 'vitest/config';

// `npm run test:stress`: minutes-long durability and load checks, outside `npm test`.
export default defineConfig({
  test: {
    include: ['test/stress/**/*.test.ts'],
    pool: 'forks',
    globalSetup: ['test/temp-root.ts'],
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 60_000,
  },
});
