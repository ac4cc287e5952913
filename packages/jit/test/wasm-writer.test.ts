import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WasmWriter } from '../src/index.js';

/** Decodes a signed LEB128 from `bytes` as a BigInt (the reference). */
function readSleb(bytes: Uint8Array): { value: bigint; length: number } {
  let result = 0n;
  let shift = 0n;
  let i = 0;
  let b: number;
  do {
    b = bytes[i++];
    result |= BigInt(b & 0x7f) << shift;
    shift += 7n;
  } while (b & 0x80);
  if (b & 0x40) result -= 1n << shift;
  return { value: result, length: i };
}

function readUleb(bytes: Uint8Array): number {
  let result = 0;
  let mul = 1;
  for (let i = 0; ; i++) {
    result += (bytes[i] & 0x7f) * mul;
    if ((bytes[i] & 0x80) === 0) return result;
    mul *= 128;
  }
}

describe('WasmWriter LEB128 encodings', () => {
  it('s64 of two halves decodes to the 64-bit value, in at most 10 bytes', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), (v) => {
        const w = new WasmWriter(2);
        const u = BigInt.asUintN(64, v);
        w.s64(Number(u & 0xffff_ffffn), Number(u >> 32n));
        const { value, length } = readSleb(w.view());
        expect(value).toBe(v);
        expect(length).toBe(w.length);
        expect(length).toBeLessThanOrEqual(10);
      }),
      { numRuns: 2000 },
    );
  });
  it('s32 and u32 decode to their values', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff }),
        fc.nat({ max: 0xffff_ffff }),
        (s, u) => {
          const a = new WasmWriter(1);
          a.s32(s);
          expect(readSleb(a.view()).value).toBe(BigInt(s));
          const b = new WasmWriter(1);
          b.u32(u);
          expect(readUleb(b.view())).toBe(u);
        },
      ),
      { numRuns: 2000 },
    );
  });
  it('the edges of each width take the shortest encoding', () => {
    const len = (f: (w: WasmWriter) => void) => {
      const w = new WasmWriter();
      f(w);
      return w.length;
    };
    expect(len((w) => w.s32(63))).toBe(1);
    expect(len((w) => w.s32(64))).toBe(2);
    expect(len((w) => w.s32(-64))).toBe(1);
    expect(len((w) => w.s32(-65))).toBe(2);
    expect(len((w) => w.s64(0, 1))).toBe(5);
    expect(len((w) => w.s64(0, 0x8000_0000))).toBe(10);
    expect(len((w) => w.u32(0xffff_ffff))).toBe(5);
  });
});
