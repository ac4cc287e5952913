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
      let errors = 0;
      let finished = 0;
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
            else errors++;
          },
        ),
        { seed, numRuns: runs },
      );
      console.log(
        `differential fuzz: seed ${seed}, ${runs} programs agreed (${finished} exited, ${errors} faulted)`,
      );
      expect(finished + errors).toBe(runs);
    },
    120_000 + runs * 20,
  );
});
