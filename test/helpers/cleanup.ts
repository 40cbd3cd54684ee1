/**
 * Setup file for every test file: the temporary directories it made go when it ends.
 * Registered first, this afterAll runs after the file's own (servers stop, then their
 * directories go).
 */
import { afterAll } from 'vitest';
import { removeTempDirs } from './cli.js';

afterAll(() => {
  if (!process.env.QUIRKCTL_KEEP_TEST_DIRS) removeTempDirs();
});
