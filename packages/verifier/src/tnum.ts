/**
 * Tristate numbers ("tnums"): what is known about the bits of a 64-bit value. Each bit is known
 * 0, known 1, or unknown: `value` holds the known ones, `mask` the unknown ones (never both).
 * The idea is the Linux verifier's; this is our own small implementation over bigints.
 */

/** Known bits of a 64-bit value. Invariant: `(value & mask) === 0n`. */
export interface Tnum {
  readonly value: bigint;
  readonly mask: bigint;
}

/** 2^64 - 1. */
export const U64_MAX = (1n << 64n) - 1n;
/** 2^32 - 1. */
export const U32_MAX = (1n << 32n) - 1n;

/** Nothing known. */
export const TNUM_UNKNOWN: Tnum = Object.freeze({ value: 0n, mask: U64_MAX });

/** Every bit known. */
export function tnumConst(x: bigint): Tnum {
  return { value: BigInt.asUintN(64, x), mask: 0n };
}

/** The tnum of every value in `[min, max]` (unsigned). */
export function tnumRange(min: bigint, max: bigint): Tnum {
  const chi = min ^ max;
  if (chi === 0n) return tnumConst(min);
  const hi = Number(chi >> 32n);
  const bits = BigInt(hi !== 0 ? 64 - Math.clz32(hi) : 32 - Math.clz32(Number(chi)));
  if (bits > 63n) return TNUM_UNKNOWN;
  const delta = (1n << bits) - 1n;
  return { value: min & ~delta, mask: delta };
}

function make(value: bigint, mask: bigint): Tnum {
  const m = BigInt.asUintN(64, mask);
  return { value: BigInt.asUintN(64, value) & ~m & U64_MAX, mask: m };
}

/** Sum. */
export function tnumAdd(a: Tnum, b: Tnum): Tnum {
  const sm = a.mask + b.mask;
  const sv = a.value + b.value;
  const chi = BigInt.asUintN(64, sm + sv) ^ BigInt.asUintN(64, sv);
  return make(sv, chi | a.mask | b.mask);
}

/** Difference. */
export function tnumSub(a: Tnum, b: Tnum): Tnum {
  const dv = a.value - b.value;
  const alpha = BigInt.asUintN(64, dv + a.mask);
  const beta = BigInt.asUintN(64, dv - b.mask);
  return make(dv, (alpha ^ beta) | a.mask | b.mask);
}

/** Bitwise and. */
export function tnumAnd(a: Tnum, b: Tnum): Tnum {
  const alpha = a.value | a.mask;
  const beta = b.value | b.mask;
  const v = a.value & b.value;
  return make(v, alpha & beta & ~v);
}

/** Bitwise or. */
export function tnumOr(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  return make(v, (a.mask | b.mask) & ~v);
}

/** Bitwise exclusive or. */
export function tnumXor(a: Tnum, b: Tnum): Tnum {
  const mu = a.mask | b.mask;
  return make((a.value ^ b.value) & ~mu, mu);
}

/** Left shift by a constant (0-63). */
export function tnumLsh(a: Tnum, s: bigint): Tnum {
  return make(a.value << s, a.mask << s);
}

/** Logical right shift by a constant (0-63). */
export function tnumRsh(a: Tnum, s: bigint): Tnum {
  return make(a.value >> s, a.mask >> s);
}

/** Arithmetic right shift by a constant (0-63), 64-bit. */
export function tnumArsh(a: Tnum, s: bigint): Tnum {
  return make(BigInt.asIntN(64, a.value) >> s, BigInt.asIntN(64, a.mask) >> s);
}

/** Product: exact for constants, else only the known trailing zeros survive. */
export function tnumMul(a: Tnum, b: Tnum): Tnum {
  if (a.mask === 0n && b.mask === 0n) return tnumConst(a.value * b.value);
  const tz = (t: Tnum) => {
    const known = t.value | t.mask;
    if (known === 0n) return 64n;
    let n = 0n;
    while (((known >> n) & 1n) === 0n) n++;
    return n;
  };
  const zeros = tz(a) + tz(b);
  if (zeros >= 64n) return tnumConst(0n);
  return make(0n, U64_MAX << zeros);
}

/** What both may be: the join. */
export function tnumUnion(a: Tnum, b: Tnum): Tnum {
  const mu = a.mask | b.mask | (a.value ^ b.value);
  return make(a.value & b.value, mu);
}

/** What both say: the meet (undefined when they contradict). */
export function tnumIntersect(a: Tnum, b: Tnum): Tnum | undefined {
  const known = ~a.mask & ~b.mask & U64_MAX;
  if ((a.value & known) !== (b.value & known)) return undefined;
  return make(a.value | b.value, a.mask & b.mask);
}

/** The low 32 bits, zero-extended. */
export function tnumCast32(a: Tnum): Tnum {
  return { value: a.value & U32_MAX, mask: a.mask & U32_MAX };
}

/** Formats as `(value; mask)` in hex. */
export function formatTnum(t: Tnum): string {
  return `(0x${t.value.toString(16)}; 0x${t.mask.toString(16)})`;
}
