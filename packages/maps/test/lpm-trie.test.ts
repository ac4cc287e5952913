import { describe, expect, it } from 'vitest';
import {
  createTypedMap,
  Errno,
  type LpmTrieMap,
  lpmKey,
  lpmKeyCodec,
  MapFlag,
  MapType,
  UpdateFlag,
  u32,
} from '../src/index.js';
import { make, scratch } from './support/maps.js';

const v4 = {
  name: 'routes4',
  type: MapType.LPM_TRIE,
  keySize: 8,
  valueSize: 4,
  maxEntries: 16,
  flags: MapFlag.NO_PREALLOC,
};
const v6 = {
  name: 'routes6',
  type: MapType.LPM_TRIE,
  keySize: 20,
  valueSize: 4,
  maxEntries: 16,
  flags: MapFlag.NO_PREALLOC,
};

const ip4 = (s: string) => s.split('.').map(Number);
/** A full IPv6 address from its eight 16-bit groups given in hex ("2001:db8:0:0:0:0:0:1"). */
const ip6 = (s: string) =>
  s.split(':').flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]);

describe('LPM trie, IPv4 keys', () => {
  function routes() {
    const map = make<LpmTrieMap>(v4);
    const typed = createTypedMap(map, { key: lpmKeyCodec(4), value: u32 });
    const add = (prefix: string, len: number, value: number) =>
      typed.set({ prefixLen: len, data: Uint8Array.from(ip4(prefix)) }, value);
    add('0.0.0.0', 0, 1);
    add('10.0.0.0', 8, 2);
    add('10.1.0.0', 16, 3);
    add('10.1.2.0', 24, 4);
    add('10.1.2.128', 25, 5);
    add('192.168.0.0', 16, 6);
    return { map, typed };
  }
  const lookup = (map: LpmTrieMap, addr: string, len = 32) => {
    const v = map.lookup(lpmKey(len, ip4(addr)));
    return v === undefined ? undefined : u32.decode(v);
  };

  it('finds the longest matching prefix', () => {
    const { map } = routes();
    expect(lookup(map, '10.1.2.200')).toBe(5);
    expect(lookup(map, '10.1.2.3')).toBe(4);
    expect(lookup(map, '10.1.3.3')).toBe(3);
    expect(lookup(map, '10.200.0.1')).toBe(2);
    expect(lookup(map, '192.168.44.1')).toBe(6);
    expect(lookup(map, '8.8.8.8')).toBe(1);
  });

  it('the lookup key’s own prefix length bounds the match', () => {
    const { map } = routes();
    expect(lookup(map, '10.1.2.200', 24)).toBe(4);
    expect(lookup(map, '10.1.2.200', 12)).toBe(2);
    expect(lookup(map, '10.1.2.200', 0)).toBe(1);
  });

  it('without a default route an unmatched address finds nothing', () => {
    const { map } = routes();
    expect(map.delete(lpmKey(0, [0, 0, 0, 0]))).toBe(0);
    expect(lookup(map, '8.8.8.8')).toBeUndefined();
    expect(map.longestMatch(lpmKey(32, ip4('10.9.9.9')))).toEqual(lpmKey(8, ip4('10.0.0.0')));
  });

  it('updates and deletes are exact: bits past the prefix length do not matter', () => {
    const { map } = routes();
    expect(map.update(lpmKey(8, ip4('10.99.99.99')), u32.encode(20), UpdateFlag.EXIST)).toBe(0);
    expect(lookup(map, '10.200.0.1')).toBe(20);
    expect(map.update(lpmKey(8, ip4('10.0.0.0')), u32.encode(2), UpdateFlag.NOEXIST)).toBe(
      -Errno.EEXIST,
    );
    expect(map.update(lpmKey(9, ip4('10.0.0.0')), u32.encode(2), UpdateFlag.EXIST)).toBe(
      -Errno.ENOENT,
    );
    expect(map.delete(lpmKey(17, ip4('10.1.0.0')))).toBe(-Errno.ENOENT);
    expect(map.delete(lpmKey(16, ip4('10.1.255.255')))).toBe(0);
    expect(lookup(map, '10.1.3.3')).toBe(20);
  });

  it('refuses prefixes longer than the data and unknown flags with -EINVAL', () => {
    const { map } = routes();
    expect(map.update(lpmKey(33, ip4('1.2.3.4')), u32.encode(1))).toBe(-Errno.EINVAL);
    expect(map.delete(lpmKey(33, ip4('1.2.3.4')))).toBe(-Errno.EINVAL);
    expect(map.update(lpmKey(32, ip4('1.2.3.4')), u32.encode(1), UpdateFlag.LOCK)).toBe(
      -Errno.EINVAL,
    );
  });

  it('a full trie refuses new prefixes with -ENOSPC but replaces present ones', () => {
    const map = make<LpmTrieMap>({ ...v4, maxEntries: 2 });
    expect(map.update(lpmKey(8, [10, 0, 0, 0]), u32.encode(1))).toBe(0);
    expect(map.update(lpmKey(16, [10, 1, 0, 0]), u32.encode(2))).toBe(0);
    expect(map.update(lpmKey(24, [10, 1, 1, 0]), u32.encode(3))).toBe(-Errno.ENOSPC);
    expect(map.update(lpmKey(16, [10, 1, 0, 0]), u32.encode(4))).toBe(0);
    expect(map.size).toBe(2);
  });

  it('iterates in the kernel’s post-order: more specific first, 0 bits before 1 bits', () => {
    const { typed } = routes();
    const order = typed.keys().map((k) => `${[...k.data].join('.')}/${k.prefixLen}`);
    expect(order).toEqual([
      '10.1.2.128/25',
      '10.1.2.0/24',
      '10.1.0.0/16',
      '10.0.0.0/8',
      '192.168.0.0/16',
      '0.0.0.0/0',
    ]);
    expect(typed.values()).toEqual([5, 4, 3, 2, 6, 1]);
  });

  it('program side: lookupElem returns the matched value’s address', () => {
    const { map } = routes();
    const mem = scratch(map);
    const addr = map.lookupElem(mem.put(0, lpmKey(32, ip4('10.1.2.9'))));
    expect(u32.decode(map.space.read(addr, 4))).toBe(4);
    expect(
      map.updateElem(mem.put(0, lpmKey(32, ip4('1.1.1.1'))), mem.put(16, u32.encode(9)), 0),
    ).toBe(0);
    expect(lookup(map, '1.1.1.1')).toBe(9);
    expect(map.deleteElem(mem.put(0, lpmKey(32, ip4('1.1.1.1'))))).toBe(0);
    expect(lookup(map, '1.1.1.1')).toBe(1);
  });
});

describe('LPM trie, IPv6 keys', () => {
  it('matches 128-bit addresses on prefixes that end inside a byte', () => {
    const map = make<LpmTrieMap>(v6);
    expect(map.update(lpmKey(32, ip6('2001:db8:0:0:0:0:0:0')), u32.encode(1))).toBe(0);
    expect(map.update(lpmKey(48, ip6('2001:db8:abcd:0:0:0:0:0')), u32.encode(2))).toBe(0);
    expect(map.update(lpmKey(52, ip6('2001:db8:abcd:1000:0:0:0:0')), u32.encode(3))).toBe(0);
    expect(map.update(lpmKey(128, ip6('2001:db8:abcd:1234:0:0:0:1')), u32.encode(4))).toBe(0);
    const find = (a: string) => {
      const v = map.lookup(lpmKey(128, ip6(a)));
      return v && u32.decode(v);
    };
    expect(find('2001:db8:abcd:1234:0:0:0:1')).toBe(4);
    expect(find('2001:db8:abcd:1234:0:0:0:2')).toBe(3); // 0x1234 starts with the 4 bits 0001
    expect(find('2001:db8:abcd:2000:0:0:0:1')).toBe(2);
    expect(find('2001:db8:1:0:0:0:0:1')).toBe(1);
    expect(find('2001:db9:0:0:0:0:0:1')).toBeUndefined();
  });
});
