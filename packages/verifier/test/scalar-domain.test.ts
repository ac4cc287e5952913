import { OPCODE_TABLE } from '@ebpf/isa';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyAlu,
  evaluateAlu,
  joinScalar,
  refineBranch,
  type Scalar,
  scalarConst,
  scalarRange,
  widenScalar,
} from '../src/index.js';

const U64 = (1n << 64n) - 1n;

function contains(s: Scalar, v: bigint): boolean {
  const sv = BigInt.asIntN(64, v);
  return (
    s.umin <= v &&
    v <= s.umax &&
    s.smin <= sv &&
    sv <= s.smax &&
    (v & ~s.bits.mask & U64) === s.bits.value
  );
}

const edge = fc.constantFrom(
  0n,
  1n,
  2n,
  7n,
  0xffn,
  0x7fffffffn,
  0x80000000n,
  0xffffffffn,
  1n << 32n,
  (1n << 63n) - 1n,
  1n << 63n,
  U64 - 1n,
  U64,
);
const u64 = fc.oneof(fc.bigInt({ min: 0n, max: U64 }), fc.bigInt({ min: 0n, max: 300n }), edge);

/** A scalar and a value inside it: a range around the value, or a constant. */
const member = fc
  .tuple(
    u64,
    fc.bigInt({ min: 0n, max: 64n }),
    fc.bigInt({ min: 0n, max: 1n << 40n }),
    fc.boolean(),
  )
  .map(([v, below, above, exact]) => {
    if (exact) return [scalarConst(v), v] as const;
    const lo = v >= below ? v - below : 0n;
    const hi = v + above > U64 ? U64 : v + above;
    return [scalarRange(lo, hi), v] as const;
  });

const ALU_ROWS = OPCODE_TABLE.filter((r) => ['alu', 'neg', 'movsx', 'endian'].includes(r.kind));
const JUMP_ROWS = OPCODE_TABLE.filter((r) => r.kind === 'jcond');

describe('scalar domain: every abstract result contains the concrete one', () => {
  it.each(ALU_ROWS.map((r) => [r.name, r] as const))('%s', (_n, row) => {
    fc.assert(
      fc.property(member, member, fc.integer(), ([a, x], [b, y], imm) => {
        const [bs, yv] =
          row.source === 'imm'
            ? [scalarConst(BigInt(imm)), BigInt.asUintN(64, BigInt(imm))]
            : [b, y];
        const r = applyAlu(row, a, bs);
        expect(contains(r, evaluateAlu(row, x, yv))).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it.each(JUMP_ROWS.map((r) => [r.name, r] as const))(
    '%s refines soundly on both outcomes',
    (_n, row) => {
      fc.assert(
        fc.property(member, member, ([a, x], [b, y]) => {
          const [yes, no] = refineBranch(row.op, row.width, a, b);
          const m = row.width === 32 ? 0xffffffffn : U64;
          const bits = row.width;
          const ux = x & m;
          const uy = y & m;
          const sx = BigInt.asIntN(bits, ux);
          const sy = BigInt.asIntN(bits, uy);
          const holds = {
            jeq: ux === uy,
            jne: ux !== uy,
            jgt: ux > uy,
            jge: ux >= uy,
            jlt: ux < uy,
            jle: ux <= uy,
            jsgt: sx > sy,
            jsge: sx >= sy,
            jslt: sx < sy,
            jsle: sx <= sy,
            jset: (ux & uy) !== 0n,
          }[row.op as 'jeq'];
          const outcome = holds ? yes : no;
          expect(outcome).toBeDefined();
          expect(contains(outcome![0], x) && contains(outcome![1], y)).toBe(true);
        }),
        { numRuns: 200 },
      );
    },
  );

  it('join and widening contain both sides', () => {
    fc.assert(
      fc.property(member, member, fc.array(u64, { maxLength: 4 }), ([a, x], [b, y], t) => {
        const thresholds = [...t].sort((p, q) => (p < q ? -1 : p > q ? 1 : 0));
        for (const s of [joinScalar(a, b), widenScalar(a, b, thresholds)]) {
          expect(contains(s, x) && contains(s, y)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
