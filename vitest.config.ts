import { defineConfig } from 'vitest/config';

// One run over every package: each package has its own vitest project (packages/*/vitest.config.ts)
// that resolves the `source` export condition, so tests run straight from the TypeScript sources.
export default defineConfig({
  test: {
    projects: [
      'packages/*/vitest.config.ts',
      'tools/*/vitest.config.ts',
      'examples/vitest.config.ts',
    ],
    reporters: ['default', './tools/vitest-summary-reporter.ts'],
  },
});
