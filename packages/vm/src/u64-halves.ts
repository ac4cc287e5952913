/**
 * 64-bit arithmetic on 32-bit halves, for the interpreter's register file: register `r` lives in
 * `R[2r]` (low half) and `R[2r+1]` (high half) of an `Int32Array`. Each function updates the
 * destination pair `R[d]`, `R[d+1]` from the second operand's halves `blo`, `bhi` (any int32
 * values). Every function is checked against a BigInt reference in test/u64-halves.test.ts.
 */

/** The unsigned 64-bit value of halves `lo`, `hi`. */
export function toBigInt(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** Writes the 64-bit value `v` (any bigint, taken modulo 2^64) into `R[d]`, `R[d+1]`. */
export function storeBigInt(R: Int32Array, d: number, v: bigint): void {
  R[d] = Number(BigInt.asIntN(32, v));
  R[d + 1] = Number(BigInt.asIntN(32, v >> 32n));
}

/** The high 32 bits of the unsigned product of two 32-bit values (as uint32 bits in a number). */
export function mulHigh32(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) >>> 0;
}

/** `R[d] *= b` (64-bit, wrapping). */
export function mul64(R: Int32Array, d: number, blo: number, bhi: number): void {
  const alo = R[d];
  const ahi = R[d + 1];
  R[d + 1] = (mulHigh32(alo, blo) + Math.imul(alo, bhi) + Math.imul(ahi, blo)) | 0;
  R[d] = Math.imul(alo, blo);
}

/** `R[d] /= b` unsigned; a zero divisor gives 0. */
export function div64(R: Int32Array, d: number, blo: number, bhi: number): void {
  const ahi = R[d + 1];
  if ((blo | bhi) === 0) {
    R[d] = 0;
    R[d + 1] = 0;
  } else if ((ahi | bhi) === 0) {
    R[d] = ((R[d] >>> 0) / (blo >>> 0)) >>> 0;
  } else {
    storeBigInt(R, d, toBigInt(R[d], ahi) / toBigInt(blo, bhi));
  }
}

/** `R[d] %= b` unsigned; a zero divisor leaves the dividend. */
export function mod64(R: Int32Array, d: number, blo: number, bhi: number): void {
  const ahi = R[d + 1];
  if ((blo | bhi) === 0) return;
  if ((ahi | bhi) === 0) {
    R[d] = (R[d] >>> 0) % (blo >>> 0);
  } else {
    storeBigInt(R, d, toBigInt(R[d], ahi) % toBigInt(blo, bhi));
  }
}

/** `R[d] /= b` signed, truncating; a zero divisor gives 0 and INT64_MIN / -1 gives INT64_MIN. */
export function sdiv64(R: Int32Array, d: number, blo: number, bhi: number): void {
  if ((blo | bhi) === 0) {
    R[d] = 0;
    R[d + 1] = 0;
    return;
  }
  const a = BigInt.asIntN(64, toBigInt(R[d], R[d + 1]));
  const b = BigInt.asIntN(64, toBigInt(blo, bhi));
  storeBigInt(R, d, a / b);
}

/** `R[d] %= b` signed (sign of the dividend); a zero divisor leaves the dividend; INT64_MIN % -1 = 0. */
export function smod64(R: Int32Array, d: number, blo: number, bhi: number): void {
  if ((blo | bhi) === 0) return;
  const a = BigInt.asIntN(64, toBigInt(R[d], R[d + 1]));
  const b = BigInt.asIntN(64, toBigInt(blo, bhi));
  storeBigInt(R, d, a % b);
}

/** `R[d] <<= n & 63`. */
export function lsh64(R: Int32Array, d: number, n: number): void {
  n &= 63;
  if (n === 0) return;
  const lo = R[d];
  if (n < 32) {
    R[d + 1] = (R[d + 1] << n) | (lo >>> (32 - n));
    R[d] = lo << n;
  } else {
    R[d + 1] = lo << (n - 32);
    R[d] = 0;
  }
}

/** `R[d] >>= n & 63`, logical. */
export function rsh64(R: Int32Array, d: number, n: number): void {
  n &= 63;
  if (n === 0) return;
  const hi = R[d + 1];
  if (n < 32) {
    R[d] = (R[d] >>> n) | (hi << (32 - n));
    R[d + 1] = hi >>> n;
  } else {
    R[d] = hi >>> (n - 32);
    R[d + 1] = 0;
  }
}

/** `R[d] >>= n & 63`, arithmetic. */
export function arsh64(R: Int32Array, d: number, n: number): void {
  n &= 63;
  if (n === 0) return;
  const hi = R[d + 1];
  if (n < 32) {
    R[d] = (R[d] >>> n) | (hi << (32 - n));
    R[d + 1] = hi >> n;
  } else {
    R[d] = hi >> (n - 32);
    R[d + 1] = hi >> 31;
  }
}

/** The bytes of a 32-bit value in reverse order (as int32). */
export function bswap32(x: number): number {
  return (x >>> 24) | ((x >>> 8) & 0xff00) | ((x & 0xff00) << 8) | (x << 24) | 0;
}

/** The two low bytes of `x` swapped (0..65535). */
export function bswap16(x: number): number {
  return ((x & 0xff) << 8) | ((x >>> 8) & 0xff);
}

/** 32-bit unsigned division; a zero divisor gives 0. Result as int32 bits. */
export function div32(a: number, b: number): number {
  return b === 0 ? 0 : ((a >>> 0) / (b >>> 0)) | 0;
}

/** 32-bit unsigned modulo; a zero divisor leaves the dividend. Result as int32 bits. */
export function mod32(a: number, b: number): number {
  return b === 0 ? a | 0 : ((a >>> 0) % (b >>> 0)) | 0;
}

/** 32-bit signed division, truncating; zero divisor gives 0; INT32_MIN / -1 = INT32_MIN. */
export function sdiv32(a: number, b: number): number {
  return b === 0 ? 0 : ((a | 0) / (b | 0)) | 0;
}

/** 32-bit signed modulo (sign of the dividend); zero divisor leaves the dividend; INT32_MIN % -1 = 0. */
export function smod32(a: number, b: number): number {
  return b === 0 ? a | 0 : ((a | 0) % (b | 0)) | 0;
}
