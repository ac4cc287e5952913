import { defineProject } from 'vitest/config';

/**
 * The vitest project every package uses: resolve the `source` export condition so that tests run
 * straight from each workspace package's TypeScript sources, with no build step.
 */
export function packageProject(name: string) {
  return defineProject({
    resolve: { conditions: ['source'] },
    ssr: { resolve: { conditions: ['source'] } },
    test: { name, include: ['test/**/*.test.ts'] },
  });
}
