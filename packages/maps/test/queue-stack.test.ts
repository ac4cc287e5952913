import { describe, expect, it } from 'vitest';
import { Errno, MapType, type QueueStackMap, UpdateFlag, u32 } from '../src/index.js';
import { make, scratch } from './support/maps.js';

const def = (type: number) => ({ name: 'qs', type, keySize: 0, valueSize: 4, maxEntries: 3 });
const values = (m: QueueStackMap) => m.values().map((v) => u32.decode(v));

describe('queue map', () => {
  it('pops in first-in first-out order; peek does not remove', () => {
    const q = make<QueueStackMap>(def(MapType.QUEUE));
    for (const n of [1, 2, 3]) expect(q.push(u32.encode(n))).toBe(0);
    expect(u32.decode(q.peek()!)).toBe(1);
    expect(u32.decode(q.pop()!)).toBe(1);
    expect(u32.decode(q.pop()!)).toBe(2);
    expect(q.push(u32.encode(4))).toBe(0);
    expect(values(q)).toEqual([3, 4]);
  });

  it('full: -E2BIG without flags, BPF_EXIST drops the oldest', () => {
    const q = make<QueueStackMap>(def(MapType.QUEUE));
    for (const n of [1, 2, 3]) q.push(u32.encode(n));
    expect(q.push(u32.encode(4))).toBe(-Errno.E2BIG);
    expect(q.push(u32.encode(4), UpdateFlag.EXIST)).toBe(0);
    expect(values(q)).toEqual([2, 3, 4]);
  });

  it('BPF_NOEXIST and unknown flags give -EINVAL', () => {
    const q = make<QueueStackMap>(def(MapType.QUEUE));
    expect(q.push(u32.encode(1), UpdateFlag.NOEXIST)).toBe(-Errno.EINVAL);
    expect(q.push(u32.encode(1), 4)).toBe(-Errno.EINVAL);
    expect(q.size).toBe(0);
  });

  it('program side: pop and peek of an empty queue give -ENOENT and zero the output', () => {
    const q = make<QueueStackMap>(def(MapType.QUEUE));
    const mem = scratch(q);
    const out = mem.put(0, u32.encode(0xffff_ffff));
    expect(q.popElem(out)).toBe(-Errno.ENOENT);
    expect(u32.decode(q.space.read(out, 4))).toBe(0);
    mem.put(0, u32.encode(0xffff_ffff));
    expect(q.peekElem(out)).toBe(-Errno.ENOENT);
    expect(u32.decode(q.space.read(out, 4))).toBe(0);
    expect(q.pushElem(mem.put(8, u32.encode(42)), 0)).toBe(0);
    expect(q.peekElem(out)).toBe(0);
    expect(u32.decode(q.space.read(out, 4))).toBe(42);
    expect(q.popElem(out)).toBe(0);
    expect(q.size).toBe(0);
    expect(q.lookupElem(out)).toBe(0n);
    expect(q.updateElem(out, out, 0)).toBe(-Errno.EINVAL);
    expect(q.deleteElem(out)).toBe(-Errno.EINVAL);
  });
});

describe('stack map', () => {
  it('pops in last-in first-out order', () => {
    const s = make<QueueStackMap>(def(MapType.STACK));
    for (const n of [1, 2, 3]) s.push(u32.encode(n));
    expect(values(s)).toEqual([3, 2, 1]);
    expect(u32.decode(s.pop()!)).toBe(3);
    expect(u32.decode(s.peek()!)).toBe(2);
    expect(u32.decode(s.pop()!)).toBe(2);
    expect(u32.decode(s.pop()!)).toBe(1);
    expect(s.pop()).toBeUndefined();
  });

  it('full with BPF_EXIST drops the oldest (the bottom) element', () => {
    const s = make<QueueStackMap>(def(MapType.STACK));
    for (const n of [1, 2, 3]) s.push(u32.encode(n));
    expect(s.push(u32.encode(4))).toBe(-Errno.E2BIG);
    expect(s.push(u32.encode(4), UpdateFlag.EXIST)).toBe(0);
    expect(values(s)).toEqual([4, 3, 2]);
  });
});
