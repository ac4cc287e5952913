/**
 * The rotate idiom (`rotate-idiom.ts`): `mov t, x; rsh t, k; lsh x, 64-k; or x, t` (and the
 * mirrored form) becomes one WebAssembly rotate; both registers must come out as the
 * interpreter computes them, and near-misses must not match.
 */
import { assemble } from '@ebpf/assembler';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { modelProgram } from '../src/program-model.js';
import { matchRotate } from '../src/rotate-idiom.js';
import { runBothEngines } from './support/differential.js';

const big = (_k: string, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v);

const idiom = (first: 'rsh' | 'lsh', k: number, k2 = 64 - k) =>
  `mov %r7, %r0\n${first} %r7, ${k}\n${first === 'rsh' ? 'lsh' : 'rsh'} %r0, ${k2}\nor %r0, %r7`;

describe('the rotate idiom', () => {
  it('matches both forms and no near-miss', () => {
    const at = (text: string) => matchRotate(modelProgram(assemble(`${text}\nexit`)), 0);
    expect(at(idiom('rsh', 61))).toEqual({ x: 0, t: 7, op: 'rsh', k: 61 });
    expect(at(idiom('lsh', 3))).toEqual({ x: 0, t: 7, op: 'lsh', k: 3 });
    expect(at(idiom('rsh', 61, 4))).toBeUndefined();
    expect(at('mov %r7, %r0\nrsh %r7, 3\nlsh %r0, 61\nxor %r0, %r7')).toBeUndefined();
    expect(at('mov %r7, %r0\nrsh32 %r7, 3\nlsh %r0, 61\nor %r0, %r7')).toBeUndefined();
  });

  it('gives the interpreter’s r0 and r7 for any value and amount (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        fc.integer({ min: 1, max: 63 }),
        fc.constantFrom('rsh' as const, 'lsh' as const),
        (x, k, first) => {
          // r0 + r7 folds both results into r0.
          const bytes = assemble(`lddw %r0, ${x}\n${idiom(first, k)}\nadd %r0, %r7\nexit`);
          const { interp, jit } = runBothEngines(bytes, new Uint8Array(8), 100);
          expect(interp.kind).toBe('ok');
          expect(JSON.stringify(jit, big)).toBe(JSON.stringify(interp, big));
        },
      ),
      { numRuns: 100 },
    );
  });
});
