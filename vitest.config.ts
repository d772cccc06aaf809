import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Unit tests sit beside the code; real-service suites live in test/ and start what they need.
export default defineConfig({
  // The contract package from source, as tsconfig.json's paths do for tsc and tsx: no build step.
  resolve: {
    alias: [
      {
        find: /^continuum-contract$/,
        replacement: fileURLToPath(new URL('./packages/contract/lib/index.ts', import.meta.url)),
      },
    ],
  },
  test: {
    include: [
      '{codegen,harness,conformance,cli,spec-diff}/**/*.test.ts',
      'packages/contract/{lib,generated}/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
    retry: 0,
  },
});
