import { describe, expect, it } from 'vitest';
import { Errno, MapType, type ProgramArrayMap, UpdateFlag } from '../src/index.js';
import { make, scratch } from './support/maps.js';

const def = { name: 'jumps', type: MapType.PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4 };

describe('program array map', () => {
  it('holds program handles by index; tail calls find them by the low 32 bits', () => {
    const jumps = make<ProgramArrayMap<string>>(def);
    expect(jumps.set(1, 'parser')).toBe(0);
    expect(jumps.set(3, 'logger')).toBe(0);
    expect(jumps.get(1)).toBe('parser');
    expect(jumps.tailCallTarget(1n)).toBe('parser');
    expect(jumps.tailCallTarget((7n << 32n) | 3n)).toBe('logger');
    expect(jumps.tailCallTarget(2n)).toBeUndefined();
    expect(jumps.tailCallTarget(4n)).toBeUndefined();
    expect(jumps.entries()).toEqual([
      [1, 'parser'],
      [3, 'logger'],
    ]);
  });

  it('slot errors as the kernel gives them', () => {
    const jumps = make<ProgramArrayMap<string>>(def);
    expect(jumps.set(4, 'x')).toBe(-Errno.E2BIG);
    expect(jumps.set(0, 'x', UpdateFlag.NOEXIST)).toBe(-Errno.EINVAL);
    expect(jumps.delete(0)).toBe(-Errno.ENOENT);
    expect(jumps.set(0, 'x')).toBe(0);
    expect(jumps.delete(0)).toBe(0);
    expect(jumps.delete(9)).toBe(-Errno.E2BIG);
    expect(jumps.size).toBe(0);
  });

  it('keeps nothing in VM memory and refuses program lookups and updates', () => {
    const jumps = make<ProgramArrayMap<string>>(def);
    expect(jumps.region).toBeUndefined();
    jumps.set(0, 'x');
    const mem = scratch(jumps);
    const key = mem.put(0, new Uint8Array(4));
    expect(jumps.lookupElem(key)).toBe(0n);
    expect(jumps.updateElem(key, key, 0)).toBe(-Errno.EINVAL);
    expect(jumps.deleteElem(key)).toBe(-Errno.EINVAL);
  });
});
