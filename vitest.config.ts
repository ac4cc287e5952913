import { defineConfig } from 'vitest/config';

// One run over every package: each package has its own vitest project (packages/*/vitest.config.ts)
// that resolves the `source` export condition, so tests run straight from the TypeScript sources.
export default defineConfig({
  test: {
    projects: [
      'packages/*/vitest.config.ts',
      'tools/*/vitest.config.ts',
      'examples/vitest.config.ts',
      {
        // @ebpf/vm's own tests, unchanged, a second time with the JIT as every VM's default
        // engine (tools/engine-parity/setup.ts): each assertion then holds for both engines. The
        // interpreter's internals (its opcode table, its 64-bit half-word arithmetic) are left out.
        root: 'packages/vm',
        resolve: { conditions: ['source'] },
        ssr: { resolve: { conditions: ['source'] } },
        test: {
          name: 'vm-on-jit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/interp-opcodes.test.ts', 'test/u64-halves.test.ts'],
          setupFiles: ['../../tools/engine-parity/setup.ts'],
          testTimeout: 60_000,
        },
      },
    ],
    reporters: ['default', './tools/vitest-summary-reporter.ts'],
  },
});
