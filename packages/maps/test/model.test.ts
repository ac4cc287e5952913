/**
 * Random operation sequences on hash, LRU and array maps, checked step by step against a
 * reference model: a JS Map (or array) with the kernel's rules written out plainly.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ArrayMap, Errno, type HashMap, MapType, u32, u64 } from '../src/index.js';
import { le32, le64, make, readLe64, scratch } from './support/maps.js';

type Op =
  | {
      readonly op: 'update';
      readonly key: number;
      readonly value: bigint;
      readonly flags: number;
      readonly program: boolean;
    }
  | { readonly op: 'delete'; readonly key: number; readonly program: boolean }
  | { readonly op: 'lookup'; readonly key: number; readonly program: boolean };

const opArb = (keys: number): fc.Arbitrary<Op> =>
  fc.oneof(
    fc.record({
      op: fc.constant('update' as const),
      key: fc.nat(keys - 1),
      value: fc.bigInt(0n, (1n << 64n) - 1n),
      flags: fc.constantFrom(0, 0, 1, 2, 3, 4),
      program: fc.boolean(),
    }),
    fc.record({ op: fc.constant('delete' as const), key: fc.nat(keys - 1), program: fc.boolean() }),
    fc.record({ op: fc.constant('lookup' as const), key: fc.nat(keys - 1), program: fc.boolean() }),
  );

/** The kernel's hash and LRU rules over a JS Map whose order is the order of use. */
class HashModel {
  readonly m = new Map<number, bigint>();
  constructor(
    readonly max: number,
    readonly lru: boolean,
  ) {}
  #use(k: number): void {
    if (!this.lru || !this.m.has(k)) return;
    const v = this.m.get(k)!;
    this.m.delete(k);
    this.m.set(k, v);
  }
  update(k: number, v: bigint, flags: number): number {
    if (flags > 2) return -Errno.EINVAL;
    const present = this.m.has(k);
    if (present && flags === 1) return -Errno.EEXIST;
    if (!present && flags === 2) return -Errno.ENOENT;
    if (present) {
      this.m.set(k, v);
      this.#use(k);
      return 0;
    }
    if (this.m.size === this.max) {
      if (!this.lru) return -Errno.E2BIG;
      this.m.delete(this.m.keys().next().value!);
    }
    this.m.set(k, v);
    return 0;
  }
  delete(k: number): number {
    return this.m.delete(k) ? 0 : -Errno.ENOENT;
  }
  lookup(k: number, program: boolean): bigint | undefined {
    if (program) this.#use(k);
    return this.m.get(k);
  }
}

function runHash(type: number, max: number, ops: readonly Op[]): void {
  const map = make<HashMap>({ name: 'm', type, keySize: 4, valueSize: 8, maxEntries: max });
  const model = new HashModel(max, type === MapType.LRU_HASH);
  const mem = scratch(map);
  for (const o of ops) {
    const keyAddr = mem.put(0, le32(o.key));
    if (o.op === 'update') {
      const got = o.program
        ? map.updateElem(keyAddr, mem.put(8, le64(o.value)), o.flags)
        : map.update(le32(o.key), le64(o.value), o.flags);
      expect(got).toBe(model.update(o.key, o.value, o.flags));
    } else if (o.op === 'delete') {
      const got = o.program ? map.deleteElem(keyAddr) : map.delete(le32(o.key));
      expect(got).toBe(model.delete(o.key));
    } else {
      const expected = model.lookup(o.key, o.program);
      if (o.program) {
        const addr = map.lookupElem(keyAddr);
        expect(addr === 0n ? undefined : readLe64(map.space.read(addr, 8))).toBe(expected);
      } else {
        expect(readLe64(map.lookup(le32(o.key)))).toBe(expected);
      }
    }
    expect(map.size).toBe(model.m.size);
  }
  const entries = map.entries().map(([k, v]) => [u32.decode(k), u64.decode(v)] as const);
  // Same contents; for LRU maps also the same order of use.
  const expected = [...model.m.entries()];
  if (type === MapType.LRU_HASH) expect(entries).toEqual(expected);
  else
    expect([...entries].sort((a, b) => a[0] - b[0])).toEqual(expected.sort((a, b) => a[0] - b[0]));
}

describe('maps against a reference model', () => {
  it('hash map', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(opArb(6), { maxLength: 40 }),
        (max, ops) => runHash(MapType.HASH, max, ops),
      ),
      { numRuns: 150 },
    );
  });

  it('LRU hash map', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(opArb(6), { maxLength: 40 }),
        (max, ops) => runHash(MapType.LRU_HASH, max, ops),
      ),
      { numRuns: 150 },
    );
  });

  it('array map', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(opArb(6), { maxLength: 40 }),
        (max, ops) => {
          const map = make<ArrayMap>({
            name: 'a',
            type: MapType.ARRAY,
            keySize: 4,
            valueSize: 8,
            maxEntries: max,
          });
          const model: bigint[] = Array.from({ length: max }, () => 0n);
          const mem = scratch(map);
          for (const o of ops) {
            const keyAddr = mem.put(0, le32(o.key));
            if (o.op === 'update') {
              const expected =
                (o.flags & ~4) > 2
                  ? -Errno.EINVAL
                  : o.key >= max
                    ? -Errno.E2BIG
                    : o.flags & 1
                      ? -Errno.EEXIST
                      : o.flags & 4
                        ? -Errno.EINVAL
                        : 0;
              if (expected === 0) model[o.key] = o.value;
              const got = o.program
                ? map.updateElem(keyAddr, mem.put(8, le64(o.value)), o.flags)
                : map.update(le32(o.key), le64(o.value), o.flags);
              expect(got).toBe(expected);
            } else if (o.op === 'delete') {
              expect(o.program ? map.deleteElem(keyAddr) : map.delete(le32(o.key))).toBe(
                -Errno.EINVAL,
              );
            } else {
              const addr = map.lookupElem(keyAddr);
              expect(addr === 0n ? undefined : readLe64(map.space.read(addr, 8))).toBe(
                model[o.key],
              );
              expect(readLe64(map.lookup(le32(o.key)))).toBe(model[o.key]);
            }
          }
          expect(map.entries().map(([, v]) => u64.decode(v))).toEqual(model);
        },
      ),
      { numRuns: 150 },
    );
  });
});
