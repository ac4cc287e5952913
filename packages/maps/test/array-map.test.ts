import { describe, expect, it } from 'vitest';
import {
  type ArrayMap,
  createTypedMap,
  Errno,
  MAP_BAD_KEY,
  MAP_BAD_VALUE_REFERENCE,
  MAP_OPERATION_FAILED,
  MAP_WRONG_TYPE,
  MapType,
  UpdateFlag,
  u32,
  u64,
} from '../src/index.js';
import { errorOf, le32, le64, make, readLe64, scratch } from './support/maps.js';

const arrayDef = { name: 'arr', type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 3 };

describe('array map', () => {
  it('starts with every element present and zero', () => {
    const map = make<ArrayMap>(arrayDef);
    expect(map.size).toBe(3);
    expect(map.keys().map((k) => u32.decode(k))).toEqual([0, 1, 2]);
    for (const [, v] of map.entries()) expect(readLe64(v)).toBe(0n);
  });

  it('BPF_ANY and BPF_EXIST update, BPF_NOEXIST gives -EEXIST, bad flags -EINVAL', () => {
    const map = make<ArrayMap>(arrayDef);
    expect(map.update(le32(1), le64(11), UpdateFlag.ANY)).toBe(0);
    expect(map.update(le32(1), le64(12), UpdateFlag.EXIST)).toBe(0);
    expect(readLe64(map.lookup(le32(1)))).toBe(12n);
    expect(map.update(le32(1), le64(13), UpdateFlag.NOEXIST)).toBe(-Errno.EEXIST);
    expect(map.update(le32(1), le64(13), 3)).toBe(-Errno.EINVAL);
    expect(map.update(le32(1), le64(13), UpdateFlag.LOCK)).toBe(-Errno.EINVAL);
    expect(readLe64(map.lookup(le32(1)))).toBe(12n);
  });

  it('an index at or past max_entries gives -E2BIG on update and nothing on lookup', () => {
    const map = make<ArrayMap>(arrayDef);
    expect(map.update(le32(3), le64(1))).toBe(-Errno.E2BIG);
    expect(map.update(le32(0xffff_ffff), le64(1))).toBe(-Errno.E2BIG);
    expect(map.lookup(le32(3))).toBeUndefined();
  });

  it('delete gives -EINVAL and leaves the element', () => {
    const map = make<ArrayMap>(arrayDef);
    map.update(le32(0), le64(5));
    expect(map.delete(le32(0))).toBe(-Errno.EINVAL);
    expect(readLe64(map.lookup(le32(0)))).toBe(5n);
  });

  it('walks keys in index order and restarts on a key out of range, as get_next_key does', () => {
    const map = make<ArrayMap>(arrayDef);
    expect(u32.decode(map.nextKey()!)).toBe(0);
    expect(u32.decode(map.nextKey(le32(0))!)).toBe(1);
    expect(map.nextKey(le32(2))).toBeUndefined();
    expect(u32.decode(map.nextKey(le32(7))!)).toBe(0);
  });

  it('program side: lookupElem gives the address of the slot, updateElem writes it', () => {
    const map = make<ArrayMap>(arrayDef);
    const mem = scratch(map);
    const key = mem.put(0, le32(2));
    const value = mem.put(8, le64(77));
    expect(map.updateElem(key, value, 0)).toBe(0);
    const addr = map.lookupElem(key);
    expect(addr).toBe(map.address + 16n);
    expect(readLe64(map.space.read(addr, 8))).toBe(77n);
    map.space.write(addr, le64(78));
    expect(readLe64(map.lookup(le32(2)))).toBe(78n);
    expect(map.lookupElem(mem.put(0, le32(3)))).toBe(0n);
    expect(map.updateElem(mem.put(0, le32(3)), value, 0)).toBe(-Errno.E2BIG);
    expect(map.deleteElem(key)).toBe(-Errno.EINVAL);
  });

  it('values are 8-byte aligned even when the value size is not', () => {
    const map = make<ArrayMap>({ ...arrayDef, valueSize: 5 });
    expect(map.valueStride).toBe(8);
    expect(map.valueAddress(1)).toBe(map.address + 8n);
  });

  it('a one-element array has a direct value address; others refuse', () => {
    const one = make<ArrayMap>({ ...arrayDef, maxEntries: 1 });
    expect(one.directValueAddress(4)).toBe(one.address + 4n);
    expect(errorOf(() => one.directValueAddress(8)).code).toBe(MAP_BAD_VALUE_REFERENCE);
    const three = make<ArrayMap>(arrayDef);
    expect(errorOf(() => three.directValueAddress(0)).code).toBe(MAP_BAD_VALUE_REFERENCE);
  });

  it('host keys and values of the wrong size are typed errors', () => {
    const map = make<ArrayMap>(arrayDef);
    expect(errorOf(() => map.lookup(new Uint8Array(3))).code).toBe(MAP_BAD_KEY);
    expect(errorOf(() => map.lookupPerCpu(le32(0))).code).toBe(MAP_WRONG_TYPE);
  });

  it('typed view: get/set and refusals as MAP_OPERATION_FAILED', () => {
    const typed = createTypedMap(make<ArrayMap>(arrayDef), { key: u32, value: u64 });
    typed.set(1, 9n);
    expect(typed.get(1)).toBe(9n);
    expect(typed.entries()).toEqual([
      [0, 0n],
      [1, 9n],
      [2, 0n],
    ]);
    const e = errorOf(() => typed.set(1, 1n, UpdateFlag.NOEXIST));
    expect(e.code).toBe(MAP_OPERATION_FAILED);
    expect(e.context).toMatchObject({ errno: -Errno.EEXIST, errnoName: 'EEXIST' });
    expect(errorOf(() => typed.delete(0)).code).toBe(MAP_OPERATION_FAILED);
  });
});

describe('per-CPU array map', () => {
  const def = { name: 'pcpu', type: MapType.PERCPU_ARRAY, keySize: 4, valueSize: 8, maxEntries: 2 };

  it('keeps one value per CPU; a program sees and writes the current CPU’s', () => {
    const map = make<ArrayMap>(def, 4);
    const mem = scratch(map);
    const key = mem.put(0, le32(1));
    for (const cpu of [0, 1, 2, 3]) {
      map.cpus.current = cpu;
      const addr = map.lookupElem(key);
      map.space.write(addr, le64(100 + cpu));
    }
    expect(map.lookupPerCpu(le32(1))!.map(readLe64)).toEqual([100n, 101n, 102n, 103n]);
    map.cpus.current = 2;
    expect(readLe64(map.lookup(le32(1)))).toBe(102n);
    expect(map.updateElem(key, mem.put(8, le64(7)), 0)).toBe(0);
    expect(map.lookupPerCpu(le32(1))!.map(readLe64)).toEqual([100n, 101n, 7n, 103n]);
  });

  it('distinct CPUs get distinct addresses; the host can set all CPUs or each', () => {
    const map = make<ArrayMap>(def, 3);
    expect(new Set([0, 1, 2].map((c) => map.valueAddress(0, c))).size).toBe(3);
    const typed = createTypedMap(map, { key: u32, value: u64 });
    typed.set(0, 5n);
    expect(typed.getPerCpu(0)).toEqual([5n, 5n, 5n]);
    typed.setPerCpu(0, [1n, 2n, 3n]);
    expect(typed.getPerCpu(0)).toEqual([1n, 2n, 3n]);
    expect(typed.getPerCpu(0)).toHaveLength(3);
  });
});
