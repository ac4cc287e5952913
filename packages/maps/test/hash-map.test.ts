import { describe, expect, it } from 'vitest';
import {
  createTypedMap,
  Errno,
  type HashMap,
  MapFlag,
  MapType,
  UpdateFlag,
  u32,
  u64,
} from '../src/index.js';
import { le32, le64, make, readLe64, scratch } from './support/maps.js';

const hashDef = { name: 'h', type: MapType.HASH, keySize: 4, valueSize: 8, maxEntries: 3 };

describe('hash map', () => {
  it('BPF_NOEXIST creates only, BPF_EXIST updates only, BPF_ANY does both', () => {
    const map = make<HashMap>(hashDef);
    expect(map.update(le32(1), le64(1), UpdateFlag.EXIST)).toBe(-Errno.ENOENT);
    expect(map.update(le32(1), le64(1), UpdateFlag.NOEXIST)).toBe(0);
    expect(map.update(le32(1), le64(2), UpdateFlag.NOEXIST)).toBe(-Errno.EEXIST);
    expect(map.update(le32(1), le64(3), UpdateFlag.EXIST)).toBe(0);
    expect(map.update(le32(1), le64(4), UpdateFlag.ANY)).toBe(0);
    expect(map.update(le32(2), le64(5), UpdateFlag.ANY)).toBe(0);
    expect(map.update(le32(2), le64(5), 3)).toBe(-Errno.EINVAL);
    expect(readLe64(map.lookup(le32(1)))).toBe(4n);
    expect(map.size).toBe(2);
  });

  it('a full map refuses a new key with -E2BIG but still updates present keys', () => {
    const map = make<HashMap>(hashDef);
    for (const k of [1, 2, 3]) expect(map.update(le32(k), le64(k))).toBe(0);
    expect(map.update(le32(4), le64(4))).toBe(-Errno.E2BIG);
    expect(map.update(le32(2), le64(20))).toBe(0);
    expect(map.delete(le32(1))).toBe(0);
    expect(map.update(le32(4), le64(4))).toBe(0);
    expect(
      map
        .keys()
        .map((k) => u32.decode(k))
        .sort(),
    ).toEqual([2, 3, 4]);
  });

  it('delete of an absent key gives -ENOENT', () => {
    const map = make<HashMap>(hashDef);
    expect(map.delete(le32(9))).toBe(-Errno.ENOENT);
  });

  it('a freed slot is reused, so the map never needs more than max_entries slots', () => {
    const map = make<HashMap>(hashDef);
    const mem = scratch(map);
    for (let round = 0; round < 10; round++) {
      for (const k of [1, 2, 3]) map.update(le32(k + round * 3), le64(round));
      for (const k of [1, 2, 3]) {
        const addr = map.lookupElem(mem.put(0, le32(k + round * 3)));
        expect(addr).toBeGreaterThanOrEqual(map.address);
        expect(addr).toBeLessThan(map.address + 3n * 8n);
      }
      for (const k of [1, 2, 3]) expect(map.delete(le32(k + round * 3))).toBe(0);
    }
  });

  it('program side: update, lookup to a pointer, write through it, delete', () => {
    const map = make<HashMap>(hashDef);
    const mem = scratch(map);
    const key = mem.put(0, le32(0xdead));
    expect(map.lookupElem(key)).toBe(0n);
    expect(map.updateElem(key, mem.put(8, le64(1)), UpdateFlag.NOEXIST)).toBe(0);
    expect(map.updateElem(key, mem.put(8, le64(1)), UpdateFlag.NOEXIST)).toBe(-Errno.EEXIST);
    const addr = map.lookupElem(key);
    map.space.write(addr, le64(41));
    expect(readLe64(map.lookup(le32(0xdead)))).toBe(41n);
    expect(map.deleteElem(key)).toBe(0);
    expect(map.deleteElem(key)).toBe(-Errno.ENOENT);
    expect(map.lookupElem(key)).toBe(0n);
  });

  it('nextKey walks every key once and restarts from the first for an absent key', () => {
    const map = make<HashMap>(hashDef);
    for (const k of [5, 6, 7]) map.update(le32(k), le64(k));
    const seen: number[] = [];
    for (let k = map.nextKey(); k !== undefined; k = map.nextKey(k)) seen.push(u32.decode(k));
    expect(seen.sort()).toEqual([5, 6, 7]);
    expect(map.nextKey(le32(99))).toEqual(map.nextKey());
  });

  it('a map read-only for programs refuses program updates but the host may write', () => {
    const map = make<HashMap>({ ...hashDef, flags: MapFlag.RDONLY_PROG });
    const mem = scratch(map);
    expect(map.updateElem(mem.put(0, le32(1)), mem.put(8, le64(1)), 0)).toBe(-Errno.EPERM);
    expect(map.update(le32(1), le64(1))).toBe(0);
    expect(map.space.region(map.region!)!.writable).toBe(false);
  });
});

describe('LRU hash map', () => {
  const lruDef = { name: 'lru', type: MapType.LRU_HASH, keySize: 4, valueSize: 8, maxEntries: 3 };

  it('evicts the least recently inserted key when nothing was used', () => {
    const map = make<HashMap>(lruDef);
    for (const k of [1, 2, 3, 4]) expect(map.update(le32(k), le64(k))).toBe(0);
    expect(map.keys().map((k) => u32.decode(k))).toEqual([2, 3, 4]);
  });

  it('a program lookup counts as a use; a host lookup does not', () => {
    const map = make<HashMap>(lruDef);
    const mem = scratch(map);
    for (const k of [1, 2, 3]) map.update(le32(k), le64(k));
    expect(map.lookupElem(mem.put(0, le32(1)))).not.toBe(0n); // 1 is now the most recent
    map.lookup(le32(2)); // the host looking does not save 2
    map.update(le32(4), le64(4));
    expect(map.keys().map((k) => u32.decode(k))).toEqual([3, 1, 4]);
  });

  it('an update of a present key counts as a use and evicts nothing', () => {
    const map = make<HashMap>(lruDef);
    for (const k of [1, 2, 3]) map.update(le32(k), le64(k));
    map.update(le32(1), le64(10));
    expect(map.size).toBe(3);
    map.update(le32(4), le64(4));
    expect(map.keys().map((k) => u32.decode(k))).toEqual([3, 1, 4]);
  });

  it('flags keep their meaning: BPF_NOEXIST on a present key fails without evicting', () => {
    const map = make<HashMap>(lruDef);
    for (const k of [1, 2, 3]) map.update(le32(k), le64(k));
    expect(map.update(le32(2), le64(0), UpdateFlag.NOEXIST)).toBe(-Errno.EEXIST);
    expect(map.update(le32(9), le64(0), UpdateFlag.EXIST)).toBe(-Errno.ENOENT);
    expect(map.keys().map((k) => u32.decode(k))).toEqual([1, 2, 3]);
  });
});

describe('per-CPU hash maps', () => {
  it('a program update of a new key sets the current CPU and zeroes the others', () => {
    const map = make<HashMap>(
      { name: 'ph', type: MapType.PERCPU_HASH, keySize: 4, valueSize: 8, maxEntries: 2 },
      3,
    );
    const mem = scratch(map);
    map.cpus.current = 1;
    expect(map.updateElem(mem.put(0, le32(7)), mem.put(8, le64(5)), 0)).toBe(0);
    expect(map.lookupPerCpu(le32(7))!.map(readLe64)).toEqual([0n, 5n, 0n]);
    map.cpus.current = 2;
    map.space.write(map.lookupElem(mem.put(0, le32(7))), le64(6));
    expect(map.lookupPerCpu(le32(7))!.map(readLe64)).toEqual([0n, 5n, 6n]);
    const typed = createTypedMap(map, { key: u32, value: u64 });
    typed.setPerCpu(8, [1n, 2n, 3n]);
    expect(typed.getPerCpu(8)).toEqual([1n, 2n, 3n]);
    expect(typed.get(8)).toBe(3n);
  });

  it('LRU per-CPU maps evict like LRU maps and keep per-CPU values', () => {
    const map = make<HashMap>(
      { name: 'lp', type: MapType.LRU_PERCPU_HASH, keySize: 4, valueSize: 8, maxEntries: 2 },
      2,
    );
    const typed = createTypedMap(map, { key: u32, value: u64 });
    typed.setPerCpu(1, [1n, 10n]);
    typed.setPerCpu(2, [2n, 20n]);
    typed.setPerCpu(3, [3n, 30n]);
    expect(typed.keys()).toEqual([2, 3]);
    expect(typed.getPerCpu(3)).toEqual([3n, 30n]);
  });
});
