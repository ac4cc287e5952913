import { encode, type Insn, OPCODE_TABLE, rowByName } from '@ebpf/isa';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile } from '../src/index.js';
import { runBothEngines } from './support/differential.js';

const conds = OPCODE_TABLE.filter((r) => r.kind === 'jcond' && r.source === 'imm');
const ins = (name: string, f: Partial<Insn>): Insn => ({
  opcode: rowByName(name).opcode,
  dst: 0,
  src: 0,
  off: 0,
  imm: 0,
  ...f,
});

/** Programs of arithmetic and jumps in every direction: many loops, some of them irreducible. */
const jumpy = fc
  .array(
    fc.record({
      kind: fc.integer({ min: 0, max: 9 }),
      cond: fc.integer({ min: 0, max: conds.length - 1 }),
      reg: fc.integer({ min: 0, max: 3 }),
      imm: fc.integer({ min: -3, max: 12 }),
      off: fc.integer({ min: -8, max: 8 }),
    }),
    { minLength: 2, maxLength: 30 },
  )
  .map((items) => {
    const n = items.length;
    const body = items.map((it, i): Insn => {
      // Keep every target inside the program (the exit is at slot n).
      const off = Math.max(-i - 1, Math.min(n - i - 1, it.off));
      if (it.kind < 4) return { ...ins('add64_imm', { dst: it.reg, imm: it.imm }) };
      if (it.kind < 5) return ins('ja', { off });
      const row = conds[it.cond];
      return { opcode: row.opcode, dst: it.reg, src: 0, off, imm: it.imm };
    });
    return encode([...body, ins('exit', {})]);
  });

describe('structured control flow from arbitrary jumps', () => {
  it('jump-heavy programs (irreducible ones included) run the same on both engines', () => {
    let irreducible = 0;
    fc.assert(
      fc.property(jumpy, fc.integer({ min: 0, max: 300 }), (bytes, budget) => {
        if (compile(bytes).dispatchers > 0) irreducible++;
        const { interp, jit, jitUnmetered } = runBothEngines(bytes, new Uint8Array(0), budget);
        expect(jit).toEqual(interp);
        if (jitUnmetered) expect(jitUnmetered).toEqual(interp);
      }),
      { numRuns: Number(process.env.JUMPY_RUNS ?? 400) },
    );
    // The generator must actually produce irreducible loops for this test to mean anything.
    expect(irreducible).toBeGreaterThan(10);
  }, 60_000);
});
