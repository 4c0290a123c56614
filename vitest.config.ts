import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', '**/dist/**', '.data/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two at a time on two cores: Vitest's default (CPUs - 1) ran the whole suite one file after another here, and
    // most end-to-end files spend their time waiting on sockets, timers and child processes.
    maxWorkers: 2,
    globalSetup: ['tests/browser/global-setup.ts'],
  },
});
