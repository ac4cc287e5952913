/**
 * The abstract value of a number: unsigned and signed 64-bit ranges plus known bits, kept
 * consistent with one another. All operations over-approximate: every concrete result is inside
 * the abstract one.
 */
import type { OpcodeRow } from '@ebpf/isa';
import { evaluateAlu } from './concrete-alu.js';
import {
  formatTnum,
  TNUM_UNKNOWN,
  type Tnum,
  tnumAdd,
  tnumAnd,
  tnumArsh,
  tnumCast32,
  tnumConst,
  tnumIntersect,
  tnumLsh,
  tnumMul,
  tnumOr,
  tnumRange,
  tnumRsh,
  tnumSub,
  tnumUnion,
  tnumXor,
  U32_MAX,
  U64_MAX,
} from './tnum.js';

/** The least signed 64-bit value. */
export const S64_MIN = -(1n << 63n);
/** The greatest signed 64-bit value. */
export const S64_MAX = (1n << 63n) - 1n;

/** A set of 64-bit values. */
export interface Scalar {
  readonly umin: bigint;
  readonly umax: bigint;
  readonly smin: bigint;
  readonly smax: bigint;
  readonly bits: Tnum;
}

/** Any value. */
export const SCALAR_UNKNOWN: Scalar = Object.freeze({
  umin: 0n,
  umax: U64_MAX,
  smin: S64_MIN,
  smax: S64_MAX,
  bits: TNUM_UNKNOWN,
});

const max = (a: bigint, b: bigint) => (a > b ? a : b);
const min = (a: bigint, b: bigint) => (a < b ? a : b);

/** Exactly `x` (taken modulo 2^64). */
export function scalarConst(x: bigint): Scalar {
  const u = BigInt.asUintN(64, x);
  const s = BigInt.asIntN(64, x);
  return { umin: u, umax: u, smin: s, smax: s, bits: tnumConst(u) };
}

/** Every value in the unsigned range `[lo, hi]`. */
export function scalarRange(lo: bigint, hi: bigint): Scalar {
  return normalizeScalar({ ...SCALAR_UNKNOWN, umin: lo, umax: hi })!;
}

/** The value when it is known. */
export function scalarValue(s: Scalar): bigint | undefined {
  return s.umin === s.umax ? s.umin : undefined;
}

/**
 * Makes the ranges and known bits agree, tightening each from the others; `undefined` when the
 * set is empty (a branch that cannot be taken).
 */
export function normalizeScalar(s: Scalar): Scalar | undefined {
  let { umin, umax, smin, smax } = s;
  let bits: Tnum | undefined = s.bits;
  for (let round = 0; round < 2; round++) {
    umin = max(umin, bits.value);
    umax = min(umax, bits.value | bits.mask);
    const signKnown = bits.mask >> 63n === 0n;
    if (signKnown) {
      smin = max(smin, BigInt.asIntN(64, bits.value));
      smax = min(smax, BigInt.asIntN(64, bits.value | bits.mask));
    }
    if (smin >= 0n) {
      umin = max(umin, smin);
      umax = min(umax, smax);
    } else if (smax < 0n) {
      umin = max(umin, BigInt.asUintN(64, smin));
      umax = min(umax, BigInt.asUintN(64, smax));
    }
    if (umax <= S64_MAX) {
      smin = max(smin, umin);
      smax = min(smax, umax);
    } else if (umin > S64_MAX) {
      smin = max(smin, BigInt.asIntN(64, umin));
      smax = min(smax, BigInt.asIntN(64, umax));
    }
    if (umin > umax || smin > smax) return undefined;
    bits = tnumIntersect(bits, tnumRange(umin, umax));
    if (!bits) return undefined;
  }
  return { umin, umax, smin, smax, bits };
}

function norm(s: Scalar): Scalar {
  return normalizeScalar(s) ?? SCALAR_UNKNOWN;
}

/** Every value either may hold. */
export function joinScalar(a: Scalar, b: Scalar): Scalar {
  return {
    umin: min(a.umin, b.umin),
    umax: max(a.umax, b.umax),
    smin: min(a.smin, b.smin),
    smax: max(a.smax, b.smax),
    bits: tnumUnion(a.bits, b.bits),
  };
}

/**
 * Join, but bounds that moved jump outwards so that loops converge: to the nearest of the
 * `thresholds` (sorted; constants the program compares against) beyond them, else to the extreme.
 */
export function widenScalar(old: Scalar, next: Scalar, thresholds: readonly bigint[] = []): Scalar {
  const j = joinScalar(old, next);
  const up = (v: bigint, lo: bigint, hi: bigint) => {
    for (const t of thresholds) if (t >= v && t >= lo && t <= hi) return t;
    return hi;
  };
  const down = (v: bigint, lo: bigint, hi: bigint) => {
    for (let i = thresholds.length - 1; i >= 0; i--) {
      const t = thresholds[i];
      if (t <= v && t >= lo && t <= hi) return t;
    }
    return lo;
  };
  return norm({
    umin: j.umin < old.umin ? down(j.umin, 0n, U64_MAX) : j.umin,
    umax: j.umax > old.umax ? up(j.umax, 0n, U64_MAX) : j.umax,
    smin: j.smin < old.smin ? down(j.smin, S64_MIN, S64_MAX) : j.smin,
    smax: j.smax > old.smax ? up(j.smax, S64_MIN, S64_MAX) : j.smax,
    bits: j.bits,
  });
}

/** Whether two scalars are the same set description. */
export function equalScalar(a: Scalar, b: Scalar): boolean {
  return (
    a.umin === b.umin &&
    a.umax === b.umax &&
    a.smin === b.smin &&
    a.smax === b.smax &&
    a.bits.value === b.bits.value &&
    a.bits.mask === b.bits.mask
  );
}

/** The low 32 bits, zero-extended. */
export function truncateScalar32(a: Scalar): Scalar {
  if (a.umax <= U32_MAX) return a;
  return norm({ ...SCALAR_UNKNOWN, umax: U32_MAX, bits: tnumCast32(a.bits) });
}

/** The sum of two scalars (64-bit, wrapping). */
export function addScalar(a: Scalar, b: Scalar): Scalar {
  const uo = a.umax + b.umax > U64_MAX;
  const s1 = a.smin + b.smin;
  const s2 = a.smax + b.smax;
  const so = s1 < S64_MIN || s2 > S64_MAX;
  return norm({
    umin: uo ? 0n : a.umin + b.umin,
    umax: uo ? U64_MAX : a.umax + b.umax,
    smin: so ? S64_MIN : s1,
    smax: so ? S64_MAX : s2,
    bits: tnumAdd(a.bits, b.bits),
  });
}

/** The difference of two scalars (64-bit, wrapping). */
export function subScalar(a: Scalar, b: Scalar): Scalar {
  const uo = a.umin < b.umax;
  const s1 = a.smin - b.smax;
  const s2 = a.smax - b.smin;
  const so = s1 < S64_MIN || s2 > S64_MAX;
  return norm({
    umin: uo ? 0n : a.umin - b.umax,
    umax: uo ? U64_MAX : a.umax - b.umin,
    smin: so ? S64_MIN : s1,
    smax: so ? S64_MAX : s2,
    bits: tnumSub(a.bits, b.bits),
  });
}

function fromBits(bits: Tnum): Scalar {
  return norm({ ...SCALAR_UNKNOWN, bits });
}

function op64(row: OpcodeRow, a: Scalar, b: Scalar): Scalar {
  const bv = scalarValue(b);
  switch (row.op) {
    case 'add':
      return addScalar(a, b);
    case 'sub':
      return subScalar(a, b);
    case 'neg':
      return subScalar(scalarConst(0n), a);
    case 'mov':
      return b;
    case 'mul': {
      const bits = tnumMul(a.bits, b.bits);
      if (a.umax * b.umax <= U64_MAX)
        return norm({ ...SCALAR_UNKNOWN, umin: a.umin * b.umin, umax: a.umax * b.umax, bits });
      return fromBits(bits);
    }
    case 'div':
      if (b.umin > 0n)
        return norm({ ...SCALAR_UNKNOWN, umin: a.umin / b.umax, umax: a.umax / b.umin });
      return norm({ ...SCALAR_UNKNOWN, umax: a.umax });
    case 'mod':
      if (b.umin > 0n) return norm({ ...SCALAR_UNKNOWN, umax: min(a.umax, b.umax - 1n) });
      return norm({ ...SCALAR_UNKNOWN, umax: a.umax });
    case 'and':
      return norm({ ...SCALAR_UNKNOWN, umax: min(a.umax, b.umax), bits: tnumAnd(a.bits, b.bits) });
    case 'or':
      return norm({ ...SCALAR_UNKNOWN, umin: max(a.umin, b.umin), bits: tnumOr(a.bits, b.bits) });
    case 'xor':
      return fromBits(tnumXor(a.bits, b.bits));
    case 'lsh': {
      if (bv === undefined) return SCALAR_UNKNOWN;
      const s = bv & 63n;
      const bits = tnumLsh(a.bits, s);
      if (a.umax << s <= U64_MAX)
        return norm({ ...SCALAR_UNKNOWN, umin: a.umin << s, umax: a.umax << s, bits });
      return fromBits(bits);
    }
    case 'rsh': {
      if (bv === undefined) return norm({ ...SCALAR_UNKNOWN, umax: a.umax });
      const s = bv & 63n;
      return norm({
        ...SCALAR_UNKNOWN,
        umin: a.umin >> s,
        umax: a.umax >> s,
        bits: tnumRsh(a.bits, s),
      });
    }
    case 'arsh': {
      if (bv === undefined) return SCALAR_UNKNOWN;
      const s = bv & 63n;
      return norm({
        ...SCALAR_UNKNOWN,
        smin: a.smin >> s,
        smax: a.smax >> s,
        bits: tnumArsh(a.bits, s),
      });
    }
    case 'movsx': {
      const half = 1n << BigInt(row.bits - 1);
      if (b.smin >= -half && b.smax < half) return b;
      if (b.umax < half) return b;
      return norm({ ...SCALAR_UNKNOWN, smin: -half, smax: half - 1n });
    }
    case 'le': {
      const lim = (1n << BigInt(row.bits)) - 1n;
      if (a.umax <= lim) return a;
      return norm({ ...SCALAR_UNKNOWN, umax: lim });
    }
    case 'be':
    case 'bswap':
      return norm({ ...SCALAR_UNKNOWN, umax: (1n << BigInt(row.bits)) - 1n });
    default:
      return SCALAR_UNKNOWN;
  }
}

/**
 * The abstract result of an ALU-like row (alu, neg, movsx, endian) on scalars `a` (the
 * destination's value) and `b` (the second operand; ignored by one-operand rows).
 */
export function applyAlu(row: OpcodeRow, a: Scalar, b: Scalar): Scalar {
  const av = scalarValue(a);
  const bv = scalarValue(b);
  const unary = row.kind === 'neg' || row.kind === 'endian';
  if (av !== undefined && (unary || bv !== undefined)) {
    return scalarConst(evaluateAlu(row, av, bv ?? 0n));
  }
  if (row.kind === 'movsx' && bv !== undefined) return scalarConst(evaluateAlu(row, 0n, bv));
  if (row.kind === 'endian') return op64(row, a, b);
  if (row.width === 64) return op64(row, a, b);
  // 32-bit: compute on the zero-extended low halves, then keep the low half of the result.
  if (row.op === 'sdiv' || row.op === 'smod' || row.op === 'arsh') {
    return scalarRange(0n, U32_MAX);
  }
  if (row.kind === 'movsx') {
    const half = 1n << BigInt(row.bits - 1);
    if (b.umax < half) return b;
    return scalarRange(0n, U32_MAX);
  }
  // 32-bit shifts mask their count with 31, not 63.
  const isShift = row.op === 'lsh' || row.op === 'rsh';
  const count = isShift && bv !== undefined ? scalarConst(bv & 31n) : truncateScalar32(b);
  if (isShift && bv === undefined) {
    return row.op === 'rsh'
      ? truncateScalar32(norm({ ...SCALAR_UNKNOWN, umax: truncateScalar32(a).umax }))
      : scalarRange(0n, U32_MAX);
  }
  const r = op64(row, truncateScalar32(a), count);
  return truncateScalar32(r);
}

/** Short text: `42`, `[0, 10]`, or ranges and bits. */
export function formatScalar(s: Scalar): string {
  const v = scalarValue(s);
  if (v !== undefined)
    return BigInt.asIntN(64, v) < 0n && v > 0xffffffffn ? `${BigInt.asIntN(64, v)}` : `${v}`;
  const parts: string[] = [];
  if (s.umin !== 0n || s.umax !== U64_MAX) parts.push(`umin=${s.umin},umax=${s.umax}`);
  if (s.smin !== S64_MIN || s.smax !== S64_MAX) {
    if (!(s.smin === s.umin && s.smax === s.umax)) parts.push(`smin=${s.smin},smax=${s.smax}`);
  }
  if (s.bits.mask !== U64_MAX && s.bits.mask !== 0n) {
    const full = tnumRange(s.umin, s.umax);
    if (full.mask !== s.bits.mask || full.value !== s.bits.value)
      parts.push(`bits=${formatTnum(s.bits)}`);
  }
  return parts.length === 0 ? 'unknown' : parts.join(',');
}
