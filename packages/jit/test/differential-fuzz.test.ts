import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runBothEngines } from './support/differential.js';
import { arbitraryMem, arbitraryProgram } from './support/random-program.js';

// FUZZ_RUNS and FUZZ_SEED let scripts/fuzz.sh run the same property at scale.
const runs = Number(process.env.FUZZ_RUNS ?? 2000);
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 0x7fff_ffff);

describe('differential fuzzing: interpreter against JIT', () => {
  it(
    'random programs over the ISA table give identical outcomes on both engines',
    () => {
      console.log(`differential fuzz: seed ${seed}, ${runs} programs`);
      let finished = 0;
      const faults = new Map<string, number>();
      fc.assert(
        fc.property(
          arbitraryProgram,
          arbitraryMem,
          fc.integer({ min: 0, max: 400 }),
          (bytes, mem, budget) => {
            const { interp, jit, jitUnmetered } = runBothEngines(bytes, mem, budget);
            expect(jit).toEqual(interp);
            if (jitUnmetered) expect(jitUnmetered).toEqual(interp);
            if (interp.kind === 'ok') finished++;
            else faults.set(String(interp.code), (faults.get(String(interp.code)) ?? 0) + 1);
          },
        ),
        { seed, numRuns: runs },
      );
      const faulted = [...faults.values()].reduce((a, b) => a + b, 0);
      const byCode = [...faults]
        .sort((a, b) => b[1] - a[1])
        .map(([code, n]) => `${code}: ${n}`)
        .join(', ');
      console.log(
        `differential fuzz: seed ${seed}, ${runs} programs agreed (${finished} exited, ${faulted} faulted; by code ${byCode})`,
      );
      expect(finished + faulted).toBe(runs);
    },
    120_000 + runs * 20,
  );
});
