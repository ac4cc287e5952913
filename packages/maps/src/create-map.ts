/**
 * `createMap`: a map from its definition (as `@ebpf/elf` reports it), in a VM's address space.
 */
import { ArrayMap, indexKey } from './array-map.js';
import { type BpfMap, type MapOptions, type MapTarget, resolveEnvironment } from './bpf-map.js';
import { HashMap } from './hash-map.js';
import { LpmTrieMap } from './lpm-trie-map.js';
import { MAP_TYPE_NAMES, MapType } from './map-constants.js';
import { type MapDefinition, normalizeDefinition } from './map-definition.js';
import {
  MAP_BAD_ARGUMENT,
  MAP_UNKNOWN_TYPE,
  MAP_UNSUPPORTED_TYPE,
  MapError,
} from './map-errors.js';
import { ProgramArrayMap } from './program-array-map.js';
import { QueueStackMap } from './queue-stack-map.js';
import { RingBufferMap } from './ring-buffer-map.js';

/** The class each implemented map type is made with. */
const CONSTRUCTORS: ReadonlyMap<
  number,
  new (
    ...args: ConstructorParameters<typeof ArrayMap>
  ) => BpfMap
> = new Map<number, new (...args: ConstructorParameters<typeof ArrayMap>) => BpfMap>([
  [MapType.HASH, HashMap],
  [MapType.ARRAY, ArrayMap],
  [MapType.PROG_ARRAY, ProgramArrayMap],
  [MapType.PERCPU_HASH, HashMap],
  [MapType.PERCPU_ARRAY, ArrayMap],
  [MapType.LRU_HASH, HashMap],
  [MapType.LRU_PERCPU_HASH, HashMap],
  [MapType.LPM_TRIE, LpmTrieMap],
  [MapType.QUEUE, QueueStackMap],
  [MapType.STACK, QueueStackMap],
  [MapType.RINGBUF, RingBufferMap],
]);

/** The map type numbers `createMap` implements. */
export const SUPPORTED_MAP_TYPES: readonly number[] = Object.freeze([...CONSTRUCTORS.keys()]);

/**
 * Creates a map from its definition in the address space of `target` (an `AddressSpace` or a VM),
 * checking the definition as the kernel's `BPF_MAP_CREATE` does. Maps that keep values in VM
 * memory add one region; create them before the VM runs, never from inside a helper (adding a
 * region may grow the linear memory).
 *
 * `def.initialValue` (array maps only) fills element 0, as libbpf fills the internal maps of
 * `.data` and `.rodata` before freezing them; a `BPF_F_RDONLY_PROG` map keeps those bytes for
 * programs, which cannot write them, while the host still can.
 *
 * @throws MapError MAP_UNKNOWN_TYPE, MAP_UNSUPPORTED_TYPE, MAP_BAD_KEY_SIZE, MAP_BAD_VALUE_SIZE,
 * MAP_BAD_MAX_ENTRIES, MAP_BAD_FLAGS, MAP_TOO_LARGE, MAP_NO_REGION; MAP_BAD_ARGUMENT for an
 * `initialValue` on another map type, that is no `Uint8Array` or that is longer than the value.
 *
 * @example
 * const vm = new EbpfVmNoData(program);
 * const counters = createMap({ name: 'counters', type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 4 }, vm);
 * counters.address; // the region's first virtual address
 */
export function createMap(def: MapDefinition, target: MapTarget, options: MapOptions = {}): BpfMap {
  const env = resolveEnvironment(target, options);
  const checked = normalizeDefinition(def);
  const make = CONSTRUCTORS.get(checked.type);
  if (!make) {
    const known =
      Number.isInteger(checked.type) && checked.type > 0 && checked.type < MAP_TYPE_NAMES.length;
    if (known) {
      throw new MapError(MAP_UNSUPPORTED_TYPE, {
        map: checked.name,
        type: checked.type,
        typeName: checked.typeName,
      });
    }
    throw new MapError(MAP_UNKNOWN_TYPE, { map: checked.name, type: Number(checked.type) });
  }
  const initial = def.initialValue;
  if (initial !== undefined)
    checkInitialValue(initial, checked.type, checked.name, checked.valueSize);
  const map = new make(checked, env);
  if (initial !== undefined && initial.length > 0) {
    const value = new Uint8Array(checked.valueSize);
    value.set(initial);
    (map as ArrayMap).update(indexKey(0), value);
  }
  return map;
}

function checkInitialValue(initial: unknown, type: number, name: string, valueSize: number): void {
  if (type !== MapType.ARRAY) {
    throw new MapError(MAP_BAD_ARGUMENT, {
      argument: `initialValue of map '${name}'`,
      problem: 'only array maps (type 2) take an initial value',
    });
  }
  if (!(initial instanceof Uint8Array) || initial.length > valueSize) {
    throw new MapError(MAP_BAD_ARGUMENT, {
      argument: `initialValue of map '${name}'`,
      problem:
        initial instanceof Uint8Array
          ? `${initial.length} bytes, more than the ${valueSize}-byte value`
          : 'not a Uint8Array',
    });
  }
}
