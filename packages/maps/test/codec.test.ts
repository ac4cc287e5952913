import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bytes,
  createTypedMap,
  i32,
  i64,
  lpmKey,
  lpmKeyCodec,
  MAP_BAD_ARGUMENT,
  MAP_WRONG_TYPE,
  MapType,
  struct,
  u8,
  u16,
  u32,
  u64,
} from '../src/index.js';
import { errorOf, make } from './support/maps.js';

describe('codecs', () => {
  it('integers are little-endian and round-trip over their whole range', () => {
    expect([...u32.encode(0x01020304)]).toEqual([4, 3, 2, 1]);
    expect([...u16.encode(0xabcd)]).toEqual([0xcd, 0xab]);
    expect([...i32.encode(-2)]).toEqual([0xfe, 0xff, 0xff, 0xff]);
    fc.assert(fc.property(fc.nat(0xffff_ffff), (n) => u32.decode(u32.encode(n)) === n));
    fc.assert(
      fc.property(
        fc.bigInt(-(1n << 63n), (1n << 63n) - 1n),
        (n) => i64.decode(i64.encode(n)) === n,
      ),
    );
    fc.assert(fc.property(fc.bigInt(0n, (1n << 64n) - 1n), (n) => u64.decode(u64.encode(n)) === n));
  });

  it('values out of range are typed errors, not silent wrap-around', () => {
    expect(errorOf(() => u8.encode(256)).code).toBe(MAP_BAD_ARGUMENT);
    expect(errorOf(() => u32.encode(-1)).code).toBe(MAP_BAD_ARGUMENT);
    expect(errorOf(() => u64.encode(1n << 64n)).code).toBe(MAP_BAD_ARGUMENT);
    expect(errorOf(() => bytes(4).encode(new Uint8Array(3))).code).toBe(MAP_BAD_ARGUMENT);
  });

  it('structs follow C layout: natural alignment, padding to the largest member', () => {
    const flow = struct({ proto: u8, port: u16, packets: u64, tag: u32 });
    expect(flow.size).toBe(24);
    expect(flow.align).toBe(8);
    const raw = flow.encode({ proto: 6, port: 443, packets: 9n, tag: 7 });
    expect(raw[0]).toBe(6);
    expect(u16.decode(raw.subarray(2))).toBe(443);
    expect(u64.decode(raw.subarray(8))).toBe(9n);
    expect(u32.decode(raw.subarray(16))).toBe(7);
    expect(flow.decode(raw)).toEqual({ proto: 6, port: 443, packets: 9n, tag: 7 });
  });

  it('LPM keys: u32 prefix length, then the data', () => {
    expect([...lpmKey(24, [192, 168, 1, 0])]).toEqual([24, 0, 0, 0, 192, 168, 1, 0]);
    const c = lpmKeyCodec(16);
    expect(c.size).toBe(20);
    expect(c.decode(c.encode({ prefixLen: 64, data: new Uint8Array(16).fill(1) })).prefixLen).toBe(
      64,
    );
  });

  it('typed maps check codec sizes and map kinds', () => {
    const arr = make({ name: 'a', type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 });
    expect(errorOf(() => createTypedMap(arr, { key: u32, value: u32 })).code).toBe(
      MAP_BAD_ARGUMENT,
    );
    const q = make({ name: 'q', type: MapType.QUEUE, keySize: 0, valueSize: 8, maxEntries: 1 });
    expect(errorOf(() => createTypedMap(q, { key: u32, value: u64 })).code).toBe(MAP_WRONG_TYPE);
  });
});
