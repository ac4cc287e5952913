/**
 * What a conditional jump teaches about two scalars: for each outcome, the narrowed operands,
 * or `undefined` when that outcome is impossible.
 */
import type { RowOp } from '@ebpf/isa';
import { normalizeScalar, type Scalar, scalarValue } from './scalar.js';
import { tnumIntersect, U32_MAX } from './tnum.js';

/** Narrowed operands for one outcome, or undefined when it cannot happen. */
export type Outcome = readonly [Scalar, Scalar] | undefined;

const max = (a: bigint, b: bigint) => (a > b ? a : b);
const min = (a: bigint, b: bigint) => (a < b ? a : b);

function both(a: Scalar, b: Scalar): Outcome {
  const x = normalizeScalar(a);
  const y = normalizeScalar(b);
  return x && y ? [x, y] : undefined;
}

/** a > b (unsigned), or a >= b when `orEqual`. */
function ugt(a: Scalar, b: Scalar, orEqual: boolean): Outcome {
  const d = orEqual ? 0n : 1n;
  return both({ ...a, umin: max(a.umin, b.umin + d) }, { ...b, umax: min(b.umax, a.umax - d) });
}

function sgt(a: Scalar, b: Scalar, orEqual: boolean): Outcome {
  const d = orEqual ? 0n : 1n;
  return both({ ...a, smin: max(a.smin, b.smin + d) }, { ...b, smax: min(b.smax, a.smax - d) });
}

function swap(o: Outcome): Outcome {
  return o ? [o[1], o[0]] : undefined;
}

function eq(a: Scalar, b: Scalar): Outcome {
  const bits = tnumIntersect(a.bits, b.bits);
  if (!bits) return undefined;
  const m = normalizeScalar({
    umin: max(a.umin, b.umin),
    umax: min(a.umax, b.umax),
    smin: max(a.smin, b.smin),
    smax: min(a.smax, b.smax),
    bits,
  });
  return m ? [m, m] : undefined;
}

function ne(a: Scalar, b: Scalar): Outcome {
  const av = scalarValue(a);
  const bv = scalarValue(b);
  if (av !== undefined && av === bv) return undefined;
  const trim = (x: Scalar, k: bigint | undefined): Scalar => {
    if (k === undefined) return x;
    let { umin, umax, smin, smax } = x;
    const sk = BigInt.asIntN(64, k);
    if (umin === k) umin++;
    if (umax === k) umax--;
    if (smin === sk) smin++;
    if (smax === sk) smax--;
    return { ...x, umin, umax, smin, smax };
  };
  return both(trim(a, bv), trim(b, av));
}

/** For one 64-bit comparison `a OP b`: the operands when it holds and when it does not. */
function refine64(op: RowOp, a: Scalar, b: Scalar): readonly [Outcome, Outcome] {
  switch (op) {
    case 'jeq':
      return [eq(a, b), ne(a, b)];
    case 'jne':
      return [ne(a, b), eq(a, b)];
    case 'jgt':
      return [ugt(a, b, false), swap(ugt(b, a, true))];
    case 'jge':
      return [ugt(a, b, true), swap(ugt(b, a, false))];
    case 'jlt':
      return [swap(ugt(b, a, false)), ugt(a, b, true)];
    case 'jle':
      return [swap(ugt(b, a, true)), ugt(a, b, false)];
    case 'jsgt':
      return [sgt(a, b, false), swap(sgt(b, a, true))];
    case 'jsge':
      return [sgt(a, b, true), swap(sgt(b, a, false))];
    case 'jslt':
      return [swap(sgt(b, a, false)), sgt(a, b, true)];
    case 'jsle':
      return [swap(sgt(b, a, true)), sgt(a, b, false)];
    case 'jset': {
      const av = scalarValue(a);
      const bv = scalarValue(b);
      if (av !== undefined && bv !== undefined) {
        return (av & bv) !== 0n ? [[a, b], undefined] : [undefined, [a, b]];
      }
      // Known bits decide it sometimes: a bit set in both known values, or no common maybe-bit.
      const may = (a.bits.value | a.bits.mask) & (b.bits.value | b.bits.mask);
      if (may === 0n) return [undefined, [a, b]];
      if ((a.bits.value & b.bits.value) !== 0n) return [[a, b], undefined];
      return [
        [a, b],
        [a, b],
      ];
    }
    default:
      return [
        [a, b],
        [a, b],
      ];
  }
}

/**
 * Refines `a OP b` for a 64- or 32-bit comparison. 32-bit comparisons refine only when both
 * operands are known to fit in 32 bits (then they agree with the 64-bit comparison, signed ones
 * only below 2^31); otherwise both outcomes stay possible with the operands unchanged, unless
 * both are constants.
 */
export function refineBranch(
  op: RowOp,
  width: 32 | 64,
  a: Scalar,
  b: Scalar,
): readonly [Outcome, Outcome] {
  if (width === 64) return refine64(op, a, b);
  const signed = op === 'jsgt' || op === 'jsge' || op === 'jslt' || op === 'jsle';
  const limit = signed ? U32_MAX >> 1n : U32_MAX;
  if (a.umax <= limit && b.umax <= limit) return refine64(op, a, b);
  const av = scalarValue(a);
  const bv = scalarValue(b);
  if (av !== undefined && bv !== undefined) {
    const x = av & U32_MAX;
    const y = bv & U32_MAX;
    const sx = BigInt.asIntN(32, x);
    const sy = BigInt.asIntN(32, y);
    const holds: Record<string, boolean> = {
      jeq: x === y,
      jne: x !== y,
      jgt: x > y,
      jge: x >= y,
      jlt: x < y,
      jle: x <= y,
      jsgt: sx > sy,
      jsge: sx >= sy,
      jslt: sx < sy,
      jsle: sx <= sy,
      jset: (x & y) !== 0n,
    };
    return holds[op] ? [[a, b], undefined] : [undefined, [a, b]];
  }
  return [
    [a, b],
    [a, b],
  ];
}
