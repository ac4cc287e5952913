import { ERROR_CODE_RANGES } from '@ebpf/isa';
import { AddressSpace, EbpfVmNoData } from '@ebpf/vm';
import { describe, expect, it } from 'vitest';
import {
  createMap,
  MAP_BAD_FLAGS,
  MAP_BAD_KEY_SIZE,
  MAP_BAD_MAX_ENTRIES,
  MAP_BAD_VALUE_SIZE,
  MAP_NO_REGION,
  MAP_TOO_LARGE,
  MAP_UNKNOWN_TYPE,
  MAP_UNSUPPORTED_TYPE,
  type MapDefinition,
  MapError,
  MapFlag,
  MapType,
  SUPPORTED_MAP_TYPES,
} from '../src/index.js';
import { errorOf } from './support/maps.js';

const good: Record<number, MapDefinition> = {
  [MapType.HASH]: { name: 'h', type: MapType.HASH, keySize: 4, valueSize: 8, maxEntries: 4 },
  [MapType.ARRAY]: { name: 'a', type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 4 },
  [MapType.PROG_ARRAY]: {
    name: 'p',
    type: MapType.PROG_ARRAY,
    keySize: 4,
    valueSize: 4,
    maxEntries: 4,
  },
  [MapType.PERCPU_HASH]: {
    name: 'ph',
    type: MapType.PERCPU_HASH,
    keySize: 4,
    valueSize: 8,
    maxEntries: 4,
  },
  [MapType.PERCPU_ARRAY]: {
    name: 'pa',
    type: MapType.PERCPU_ARRAY,
    keySize: 4,
    valueSize: 8,
    maxEntries: 4,
  },
  [MapType.LRU_HASH]: {
    name: 'l',
    type: MapType.LRU_HASH,
    keySize: 4,
    valueSize: 8,
    maxEntries: 4,
  },
  [MapType.LRU_PERCPU_HASH]: {
    name: 'lp',
    type: MapType.LRU_PERCPU_HASH,
    keySize: 4,
    valueSize: 8,
    maxEntries: 4,
  },
  [MapType.LPM_TRIE]: {
    name: 't',
    type: MapType.LPM_TRIE,
    keySize: 8,
    valueSize: 8,
    maxEntries: 4,
    flags: MapFlag.NO_PREALLOC,
  },
  [MapType.QUEUE]: { name: 'q', type: MapType.QUEUE, keySize: 0, valueSize: 8, maxEntries: 4 },
  [MapType.STACK]: { name: 's', type: MapType.STACK, keySize: 0, valueSize: 8, maxEntries: 4 },
  [MapType.RINGBUF]: {
    name: 'r',
    type: MapType.RINGBUF,
    keySize: 0,
    valueSize: 0,
    maxEntries: 4096,
  },
};

describe('map definitions', () => {
  it('every supported type has a good definition here, and it creates a map of that type', () => {
    expect(
      Object.keys(good)
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual([...SUPPORTED_MAP_TYPES].sort((a, b) => a - b));
    for (const def of Object.values(good)) {
      const map = createMap(def, new AddressSpace());
      expect(map.type).toBe(def.type);
      expect(map.name).toBe(def.name);
    }
  });

  it('accepts a VM as the target and maps values into its address space', () => {
    const vm = new EbpfVmNoData();
    const map = createMap(good[MapType.ARRAY], vm);
    expect(map.space).toBe(vm.space);
    expect(map.region).toBeGreaterThanOrEqual(4);
    expect(vm.space.region(map.region!)!.length).toBe(4 * 8);
  });

  it.each([
    ['zero key size (hash)', { ...good[MapType.HASH], keySize: 0 }, MAP_BAD_KEY_SIZE, 22],
    [
      'key plus value over 4 MiB (hash)',
      { ...good[MapType.HASH], keySize: 1 << 21, valueSize: 1 << 21 },
      MAP_BAD_VALUE_SIZE,
      7,
    ],
    ['zero value size (hash)', { ...good[MapType.HASH], valueSize: 0 }, MAP_BAD_VALUE_SIZE, 22],
    ['zero max_entries (hash)', { ...good[MapType.HASH], maxEntries: 0 }, MAP_BAD_MAX_ENTRIES, 22],
    ['array key not 4 bytes', { ...good[MapType.ARRAY], keySize: 8 }, MAP_BAD_KEY_SIZE, 22],
    ['zero value size (array)', { ...good[MapType.ARRAY], valueSize: 0 }, MAP_BAD_VALUE_SIZE, 22],
    [
      'per-CPU value over 32 KiB',
      { ...good[MapType.PERCPU_ARRAY], valueSize: 32769 },
      MAP_BAD_VALUE_SIZE,
      7,
    ],
    [
      'prog array value not 4 bytes',
      { ...good[MapType.PROG_ARRAY], valueSize: 8 },
      MAP_BAD_VALUE_SIZE,
      22,
    ],
    ['LPM without BPF_F_NO_PREALLOC', { ...good[MapType.LPM_TRIE], flags: 0 }, MAP_BAD_FLAGS, 22],
    ['LPM key with no data', { ...good[MapType.LPM_TRIE], keySize: 4 }, MAP_BAD_KEY_SIZE, 22],
    [
      'LPM key over 256 data bytes',
      { ...good[MapType.LPM_TRIE], keySize: 261 },
      MAP_BAD_KEY_SIZE,
      22,
    ],
    ['queue with a key', { ...good[MapType.QUEUE], keySize: 4 }, MAP_BAD_KEY_SIZE, 22],
    [
      'stack with zero value size',
      { ...good[MapType.STACK], valueSize: 0 },
      MAP_BAD_VALUE_SIZE,
      22,
    ],
    [
      'ring buffer not a power of two',
      { ...good[MapType.RINGBUF], maxEntries: 3 * 4096 },
      MAP_BAD_MAX_ENTRIES,
      22,
    ],
    [
      'ring buffer below a page',
      { ...good[MapType.RINGBUF], maxEntries: 2048 },
      MAP_BAD_MAX_ENTRIES,
      22,
    ],
    [
      'ring buffer with a value size',
      { ...good[MapType.RINGBUF], valueSize: 8 },
      MAP_BAD_VALUE_SIZE,
      22,
    ],
    [
      'LRU without preallocation',
      { ...good[MapType.LRU_HASH], flags: MapFlag.NO_PREALLOC },
      MAP_BAD_FLAGS,
      524,
    ],
    [
      'BPF_F_NO_COMMON_LRU on a plain hash',
      { ...good[MapType.HASH], flags: MapFlag.NO_COMMON_LRU },
      MAP_BAD_FLAGS,
      22,
    ],
    [
      'BPF_F_MMAPABLE on a hash',
      { ...good[MapType.HASH], flags: MapFlag.MMAPABLE },
      MAP_BAD_FLAGS,
      22,
    ],
    [
      'read-only and write-only for programs',
      { ...good[MapType.ARRAY], flags: MapFlag.RDONLY_PROG | MapFlag.WRONLY_PROG },
      MAP_BAD_FLAGS,
      22,
    ],
    ['negative key size', { ...good[MapType.HASH], keySize: -1 }, MAP_BAD_KEY_SIZE, 22],
    ['fractional max_entries', { ...good[MapType.HASH], maxEntries: 1.5 }, MAP_BAD_MAX_ENTRIES, 22],
  ] as const)('refuses %s with its code and the kernel errno', (_what, def, code, errno) => {
    const e = errorOf(() => createMap(def as MapDefinition, new AddressSpace()));
    expect(e).toBeInstanceOf(MapError);
    expect(e.code).toBe(code);
    expect(e.kind).toBe('load');
    expect((e.context as { errno: number }).errno).toBe(errno);
    expect(e.message).toContain(`'${def.name}'`);
  });

  it('takes hash keys above 512 bytes, as Linux does since 5.11', () => {
    expect(createMap({ ...good[MapType.HASH], keySize: 513 }, new AddressSpace()).keySize).toBe(
      513,
    );
  });

  it('tells an unknown type from a kernel type it does not implement', () => {
    const unknown = errorOf(() =>
      createMap({ ...good[MapType.HASH], type: 999 }, new AddressSpace()),
    );
    expect(unknown.code).toBe(MAP_UNKNOWN_TYPE);
    const zero = errorOf(() => createMap({ ...good[MapType.HASH], type: 0 }, new AddressSpace()));
    expect(zero.code).toBe(MAP_UNKNOWN_TYPE);
    const perf = errorOf(() => createMap({ ...good[MapType.HASH], type: 4 }, new AddressSpace()));
    expect(perf.code).toBe(MAP_UNSUPPORTED_TYPE);
    expect(perf.message).toContain('perf_event_array');
  });

  it('refuses maps above the size limit before touching memory', () => {
    const space = new AddressSpace();
    const before = space.regionCount;
    const e = errorOf(() =>
      createMap(
        {
          name: 'big',
          type: MapType.ARRAY,
          keySize: 4,
          valueSize: 1 << 20,
          maxEntries: 0xffff_ffff,
        },
        space,
      ),
    );
    expect(e.code).toBe(MAP_TOO_LARGE);
    expect(space.regionCount).toBe(before);
    const small = errorOf(() => createMap(good[MapType.ARRAY], space, { maxBytes: 16 }));
    expect(small.code).toBe(MAP_TOO_LARGE);
  });

  it('turns a full region table into MAP_NO_REGION', () => {
    const space = new AddressSpace();
    let e: MapError | undefined;
    for (let i = 0; i < 70 && !e; i++) {
      try {
        createMap({ ...good[MapType.ARRAY], name: `m${i}` }, space);
      } catch (err) {
        e = err as MapError;
      }
    }
    expect(e?.code).toBe(MAP_NO_REGION);
    expect(e?.kind).toBe('load');
  });

  it('uses codes from its reserved range only', () => {
    for (const code of [MAP_UNKNOWN_TYPE, MAP_BAD_FLAGS, MAP_NO_REGION]) {
      expect(code).toBeGreaterThanOrEqual(ERROR_CODE_RANGES.maps[0]);
      expect(code).toBeLessThanOrEqual(ERROR_CODE_RANGES.maps[1]);
    }
  });
});
