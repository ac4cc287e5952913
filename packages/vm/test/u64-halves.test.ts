import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  arsh64,
  bswap16,
  bswap32,
  div32,
  div64,
  lsh64,
  mod32,
  mod64,
  mul64,
  mulHigh32,
  rsh64,
  sdiv32,
  sdiv64,
  smod32,
  smod64,
  storeBigInt,
  toBigInt,
} from '../src/u64-halves.js';

const u64 = fc.oneof(
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  fc.constantFrom(0n, 1n, 1n << 63n, (1n << 64n) - 1n, (1n << 32n) - 1n, 1n << 32n),
);
const i32 = fc.oneof(
  fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff }),
  fc.constantFrom(0, -1, 1, -0x8000_0000),
);
const s64 = (v: bigint) => BigInt.asIntN(64, v);
const U = (v: bigint) => BigInt.asUintN(64, v);

function apply(
  fn: (R: Int32Array, d: number, lo: number, hi: number) => void,
  a: bigint,
  b: bigint,
): bigint {
  const R = new Int32Array(4);
  storeBigInt(R, 0, a);
  storeBigInt(R, 2, b);
  fn(R, 0, R[2], R[3]);
  return toBigInt(R[0], R[1]);
}

describe('64-bit operations on halves agree with BigInt', () => {
  it('round-trips through halves', () => {
    fc.assert(
      fc.property(u64, (a) => {
        expect(apply(() => {}, a, 0n)).toBe(a);
      }),
    );
  });
  it('mulHigh32', () => {
    fc.assert(
      fc.property(i32, i32, (a, b) => {
        expect(BigInt(mulHigh32(a, b))).toBe((BigInt(a >>> 0) * BigInt(b >>> 0)) >> 32n);
      }),
    );
  });
  it('mul64', () =>
    fc.assert(
      fc.property(u64, u64, (a, b) => {
        expect(apply(mul64, a, b)).toBe(U(a * b));
      }),
    ));
  it('div64', () =>
    fc.assert(
      fc.property(u64, u64, (a, b) => {
        expect(apply(div64, a, b)).toBe(b === 0n ? 0n : a / b);
      }),
    ));
  it('mod64', () =>
    fc.assert(
      fc.property(u64, u64, (a, b) => {
        expect(apply(mod64, a, b)).toBe(b === 0n ? a : a % b);
      }),
    ));
  it('sdiv64', () =>
    fc.assert(
      fc.property(u64, u64, (a, b) => {
        expect(apply(sdiv64, a, b)).toBe(b === 0n ? 0n : U(s64(a) / s64(b)));
      }),
    ));
  it('smod64', () =>
    fc.assert(
      fc.property(u64, u64, (a, b) => {
        expect(apply(smod64, a, b)).toBe(b === 0n ? a : U(s64(a) % s64(b)));
      }),
    ));
  it('lsh64, rsh64, arsh64 mask the count to 6 bits', () =>
    fc.assert(
      fc.property(u64, fc.integer({ min: 0, max: 200 }), (a, n) => {
        const k = BigInt(n & 63);
        expect(apply((R, d) => lsh64(R, d, n), a, 0n)).toBe(U(a << k));
        expect(apply((R, d) => rsh64(R, d, n), a, 0n)).toBe(a >> k);
        expect(apply((R, d) => arsh64(R, d, n), a, 0n)).toBe(U(s64(a) >> k));
      }),
    ));
  it('32-bit division and modulo', () =>
    fc.assert(
      fc.property(i32, i32, (a, b) => {
        const ua = BigInt(a >>> 0);
        const ub = BigInt(b >>> 0);
        expect(BigInt(div32(a, b) >>> 0)).toBe(ub === 0n ? 0n : ua / ub);
        expect(BigInt(mod32(a, b) >>> 0)).toBe(ub === 0n ? ua : ua % ub);
        const q = b === 0 ? 0n : BigInt.asUintN(32, BigInt(a) / BigInt(b));
        expect(BigInt(sdiv32(a, b) >>> 0)).toBe(q);
        const r = b === 0 ? ua : BigInt.asUintN(32, BigInt(a) % BigInt(b));
        expect(BigInt(smod32(a, b) >>> 0)).toBe(r);
      }),
    ));
  it('byte swaps', () =>
    fc.assert(
      fc.property(i32, (x) => {
        const b = [0, 8, 16, 24].map((s) => (x >>> s) & 0xff);
        expect(bswap32(x) >>> 0).toBe(((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0);
        expect(bswap16(x)).toBe((b[0] << 8) | b[1]);
      }),
    ));
});
