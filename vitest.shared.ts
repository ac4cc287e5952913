import { defineProject } from 'vitest/config';

/**
 * The vitest project every package uses: resolve the `source` export condition so that tests run
 * straight from each workspace package's TypeScript sources, with no build step.
 */
export function packageProject(name: string) {
  return defineProject({
    resolve: { conditions: ['source'] },
    ssr: { resolve: { conditions: ['source'] } },
    // A generous per-test bound: it guards against hangs; it is no speed check (the machine may
    // be busy, and property tests run thousands of cases).
    test: { name, include: ['test/**/*.test.ts'], testTimeout: 60_000 },
  });
}
