/**
 * `BPF_MAP_TYPE_QUEUE` (22, first in first out) and `BPF_MAP_TYPE_STACK` (23, last in first out):
 * no keys (key size 0), `max_entries` values in a ring of slots in the map's region. Push refuses
 * a full map with -E2BIG unless given BPF_EXIST, which drops the oldest element to make room (for
 * both kinds, as the kernel does); pop and peek of an empty map give -ENOENT and zero the output.
 * Lookup, update and delete by key are not operations of these maps (-EINVAL, lookup gives 0).
 */
import { BpfMap, type MapEnvironment, toFlags } from './bpf-map.js';
import { Errno, MAP_ACCESS_MASK, MapFlag, MapType, UpdateFlag } from './map-constants.js';
import { type CheckedDefinition, checkDefinition } from './map-definition.js';
import { MAP_BAD_VALUE, MapError } from './map-errors.js';

const QUEUE_VALUE_MAX = (1 << 22) - 64;

/**
 * A queue or stack map.
 *
 * @example
 * const jobs = createMap({ name: 'jobs', type: MapType.QUEUE, keySize: 0, valueSize: 4, maxEntries: 8 }, vm) as QueueStackMap;
 * jobs.push(new Uint8Array([1, 0, 0, 0])); // 0
 * jobs.pop(); // Uint8Array [1, 0, 0, 0]
 */
export class QueueStackMap extends BpfMap {
  /** `'queue'` pops the oldest element, `'stack'` the newest. */
  readonly order: 'queue' | 'stack';
  /** Slot of the oldest element. */
  #tail = 0;
  #count = 0;

  constructor(def: CheckedDefinition, env: MapEnvironment) {
    checkDefinition(def, {
      keySize: 0,
      valueSize: [1, QUEUE_VALUE_MAX],
      flagMask: MapFlag.NUMA_NODE | MAP_ACCESS_MASK,
    });
    super(def, env, def.maxEntries * Math.ceil(def.valueSize / 8) * 8);
    this.order = def.type === MapType.STACK ? 'stack' : 'queue';
  }

  /** The number of elements held. */
  get size(): number {
    return this.#count;
  }

  #slotAt(i: number): number {
    return this.base + ((this.#tail + i) % this.maxEntries) * this.valueStride;
  }

  #push(value: Uint8Array, flags: bigint): number {
    if ((flags & BigInt(UpdateFlag.NOEXIST)) !== 0n || flags > BigInt(UpdateFlag.EXIST)) {
      return -Errno.EINVAL;
    }
    if (this.#count === this.maxEntries) {
      if (flags !== BigInt(UpdateFlag.EXIST)) return -Errno.E2BIG;
      this.#tail = (this.#tail + 1) % this.maxEntries;
      this.#count--;
    }
    this.memory.set(value, this.#slotAt(this.#count));
    this.#count++;
    return 0;
  }

  /** The element pop or peek takes (a copy), and removes it when `remove`. */
  #take(remove: boolean): Uint8Array | undefined {
    if (this.#count === 0) return undefined;
    const at = this.order === 'queue' ? this.#slotAt(0) : this.#slotAt(this.#count - 1);
    const value = this.memory.slice(at, at + this.valueSize);
    if (remove) {
      if (this.order === 'queue') this.#tail = (this.#tail + 1) % this.maxEntries;
      this.#count--;
    }
    return value;
  }

  #takeInto(valueAddr: bigint, remove: boolean, pc?: number): number {
    if (remove && this.readOnlyForPrograms) return -Errno.EPERM;
    // Check the destination first, so a bad pointer does not lose an element.
    this.space.translate(valueAddr, this.valueSize, 'store', pc);
    const value = this.#take(remove);
    this.space.write(valueAddr, value ?? new Uint8Array(this.valueSize), pc);
    return value ? 0 : -Errno.ENOENT;
  }

  override pushElem(valueAddr: bigint, flags: bigint | number, pc?: number): number {
    if (this.readOnlyForPrograms) return -Errno.EPERM;
    return this.#push(this.space.read(valueAddr, this.valueSize, pc), toFlags(flags));
  }

  override popElem(valueAddr: bigint, pc?: number): number {
    return this.#takeInto(valueAddr, true, pc);
  }

  override peekElem(valueAddr: bigint, pc?: number): number {
    return this.#takeInto(valueAddr, false, pc);
  }

  /**
   * Host push (the syscall's `BPF_MAP_UPDATE_ELEM`): 0, -E2BIG when full without BPF_EXIST, or
   * -EINVAL for other flags.
   */
  push(value: Uint8Array, flags = 0): number {
    if (!(value instanceof Uint8Array) || value.length !== this.valueSize) {
      throw new MapError(MAP_BAD_VALUE, {
        map: this.name,
        expected: this.valueSize,
        actual: value instanceof Uint8Array ? value.length : -1,
      });
    }
    return this.#push(value, toFlags(flags));
  }

  /** Host pop (`BPF_MAP_LOOKUP_AND_DELETE_ELEM`): the next element, or `undefined` when empty. */
  pop(): Uint8Array | undefined {
    return this.#take(true);
  }

  /** Host peek (`BPF_MAP_LOOKUP_ELEM`): the next element without removing it. */
  peek(): Uint8Array | undefined {
    return this.#take(false);
  }

  /** Every element in the order pops would return them (copies). */
  values(): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let i = 0; i < this.#count; i++) {
      const at = this.#slotAt(this.order === 'queue' ? i : this.#count - 1 - i);
      out.push(this.memory.slice(at, at + this.valueSize));
    }
    return out;
  }
}
