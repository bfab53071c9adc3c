import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/stress/**', 'node_modules/**'],
    // Each test file opens its own SQLite file; files run in parallel worker processes. One per
    // core: Vitest's default leaves one core idle, and these files spend much of their time
    // waiting on child processes, sockets and fsync (7.7 → 5.7 min on two cores).
    pool: 'forks',
    globalSetup: ['test/temp-root.ts'],
    maxWorkers: Math.max(2, availableParallelism()),
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
