import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** `npm run artifacts`: record or compare every generated artifact (see generate.ts). */
export default defineConfig({
  root: fileURLToPath(new URL('../../', import.meta.url)),
  test: {
    include: ['scripts/artifacts/*.test.ts'],
    setupFiles: ['test/helpers/cleanup.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
