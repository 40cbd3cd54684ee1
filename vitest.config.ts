import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/helpers/cleanup.ts'],
    // End-to-end tests start real servers, kernels and builds; give them room.
    testTimeout: 120_000,
    hookTimeout: 600_000,
  },
});
