/**
 * If-conversion (`if-conversion.ts`, counting mode only): `if (cond) skip; x op= y` becomes
 * `x op= (skipped ? 0 : y)`. Which shapes convert, and that r0 and the instruction count agree
 * with the interpreter for every condition, operation and operand (the harness compares the
 * budgeted run and the counting-only run).
 */
import { assemble } from '@ebpf/assembler';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildFunctionGraph, findLeaders } from '../src/control-flow-graph.js';
import { convertIfThen } from '../src/if-conversion.js';
import { modelProgram } from '../src/program-model.js';
import { runBothEngines } from './support/differential.js';

const big = (_k: string, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v);

function conversions(text: string) {
  const model = modelProgram(assemble(text));
  return [...convertIfThen(model, buildFunctionGraph(model, findLeaders(model), 0)).values()];
}

describe('if-conversion', () => {
  it('converts one 64-bit add/sub/or/xor over which a condition jumps, nothing else', () => {
    expect(conversions('jne %r1, 0, +1\nadd %r0, 1\nexit')).toEqual([
      { thenPc: 1, skipWhenTaken: true },
    ]);
    expect(conversions('jne %r1, 0, +1\nxor %r0, %r2\nexit')).toHaveLength(1);
    expect(conversions('jne %r1, 0, +1\nadd32 %r0, 1\nexit')).toEqual([]);
    expect(conversions('jne %r1, 0, +1\nmul %r0, 3\nexit')).toEqual([]);
    expect(conversions('jne %r1, 0, +2\nadd %r0, 1\nadd %r0, 1\nexit')).toEqual([]);
    // the then-block has another predecessor
    expect(conversions('ja +1\nexit\njne %r1, 0, +1\nadd %r0, 1\nexit')).toHaveLength(1);
    expect(conversions('jeq %r1, 0, +2\njne %r1, 0, +1\nadd %r0, 1\nexit')).toHaveLength(1);
  });

  it('agrees with the interpreter on r0 and the count (fast-check)', () => {
    const ops = ['add', 'sub', 'or', 'xor'] as const;
    const conds = ['jeq', 'jne', 'jgt', 'jge', 'jlt', 'jle', 'jsgt', 'jslt', 'jset'] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...ops),
        fc.constantFrom(...conds),
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        fc.bigInt({ min: 0n, max: 5n }),
        fc.integer({ min: -3, max: 3 }),
        fc.boolean(),
        (op, cond, x, a, imm, regSource) => {
          // A loop of 3 rounds so that both outcomes of the condition come up.
          const operand = regSource ? '%r3' : `${imm}`;
          const text = `lddw %r0, ${x}\nlddw %r3, ${x ^ 0x5555n}\nmov %r1, ${a}\nmov %r4, 3
loop:
${cond} %r1, 2, +1
${op} %r0, ${operand}
add %r1, 1
sub %r4, 1
jne %r4, 0, loop
exit`;
          const { interp, jit, jitUnmetered } = runBothEngines(
            assemble(text),
            new Uint8Array(8),
            100,
          );
          expect(interp.kind).toBe('ok');
          expect(JSON.stringify(jit, big)).toBe(JSON.stringify(interp, big));
          expect(JSON.stringify(jitUnmetered, big)).toBe(JSON.stringify(interp, big));
        },
      ),
      { numRuns: 150 },
    );
  });
});
