import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'test/common/**/*.test.ts',
      'test/main/**/*.test.ts',
      'test/ml/**/*.test.ts',
      'test/scripts/**/*.test.ts',
      'test/scale-out/**/*.test.ts',
    ],
    globalSetup: ['test/support/build-before-tests.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
