import { defineConfig } from 'vitest/config';

// Unit tests sit beside the code; real-service suites live in test/ and start what they need.
export default defineConfig({
  test: {
    include: ['{lib,codegen,harness,conformance,cli,spec-diff}/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'dist/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
    retry: 0,
  },
});
