import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Source run by the tests behaves as the test bundle does (src/context/files.ts, accountHome).
  define: { CHAPERONE_TEST_BUILD: 'true' },
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/helpers/cleanup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // End-to-end tests spawn many processes; two cores are the target machine.
    maxWorkers: 2,
  },
});
