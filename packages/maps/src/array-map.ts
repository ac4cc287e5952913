/**
 * `BPF_MAP_TYPE_ARRAY` and `BPF_MAP_TYPE_PERCPU_ARRAY`: `max_entries` values at fixed slots of one
 * region, indexed by a u32 key. Every element always exists (zero at creation), so deleting gives
 * -EINVAL and BPF_NOEXIST gives -EEXIST. Per-CPU arrays keep `cpus` values per index, side by
 * side; a program sees the current CPU's.
 */
import { type MapEnvironment, toFlags } from './bpf-map.js';
import { KeyValueMap } from './key-value-map.js';
import { Errno, MAP_ACCESS_MASK, MapFlag, MapType, UpdateFlag } from './map-constants.js';
import { type CheckedDefinition, checkDefinition } from './map-definition.js';
import { MAP_BAD_VALUE_REFERENCE, MapError } from './map-errors.js';

/** The kernel's `INT_MAX` bound on array value sizes. */
const ARRAY_VALUE_MAX = 0x7fff_ffff;
/** Per-CPU values are bounded by the per-CPU allocator's unit (`PCPU_MIN_UNIT_SIZE`, 32 KiB). */
const PERCPU_VALUE_MAX = 32768;

/**
 * An array map (type 2) or per-CPU array map (type 6).
 *
 * @example
 * const counters = createMap({ name: 'counters', type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 4 }, vm) as ArrayMap;
 * counters.valueAddress(2); // the address a program's lookup of key 2 gives
 */
export class ArrayMap extends KeyValueMap {
  readonly #perCpu: boolean;

  constructor(def: CheckedDefinition, env: MapEnvironment) {
    const perCpu = def.type === MapType.PERCPU_ARRAY;
    checkDefinition(def, {
      keySize: 4,
      valueSize: [1, perCpu ? PERCPU_VALUE_MAX : ARRAY_VALUE_MAX],
      flagMask: perCpu
        ? MAP_ACCESS_MASK
        : MAP_ACCESS_MASK | MapFlag.NUMA_NODE | MapFlag.MMAPABLE | MapFlag.INNER_MAP,
    });
    const stride = Math.ceil(def.valueSize / 8) * 8;
    super(def, env, def.maxEntries * stride * (perCpu ? env.cpus.count : 1));
    this.#perCpu = perCpu;
  }

  override get perCpu(): boolean {
    return this.#perCpu;
  }

  /** Every index exists: the size is `max_entries`. */
  get size(): number {
    return this.maxEntries;
  }

  #slot(index: number, cpu: number): number {
    return (
      (index * (this.#perCpu ? this.cpus.count : 1) + (this.#perCpu ? cpu : 0)) * this.valueStride
    );
  }

  /**
   * The virtual address of element `index` (for per-CPU arrays, of CPU `cpu`'s copy, default the
   * current CPU's), or 0 when `index` is out of range.
   */
  valueAddress(index: number, cpu = this.cpus.current): bigint {
    if (!Number.isInteger(index) || index < 0 || index >= this.maxEntries) return 0n;
    return this.addressAt(this.#slot(index, this.cpus.check(cpu)));
  }

  /**
   * The address an `lddw` of the map's value (`src` 2 or 6) loads: element 0 plus `offset`. As
   * in the kernel, only arrays of one element that are not per-CPU have one.
   *
   * @throws MapError MAP_BAD_VALUE_REFERENCE otherwise, or when `offset` is not inside the value.
   */
  directValueAddress(offset: number, pc?: number): bigint {
    const problem = this.#perCpu
      ? 'per-CPU arrays have no direct value address'
      : this.maxEntries !== 1
        ? `only arrays of one element have a direct value address (max_entries ${this.maxEntries})`
        : !Number.isInteger(offset) || offset < 0 || offset >= this.valueSize
          ? `offset outside the ${this.valueSize}-byte value`
          : undefined;
    if (problem)
      throw new MapError(MAP_BAD_VALUE_REFERENCE, { map: this.name, offset, problem }, pc);
    return this.addressAt(offset);
  }

  #index(key: Uint8Array): number {
    return (key[0] | (key[1] << 8) | (key[2] << 16) | (key[3] << 24)) >>> 0;
  }

  /** The kernel's flag checks of an array update, in its order. */
  #checkUpdate(index: number, flags: bigint): number {
    if ((flags & ~BigInt(UpdateFlag.LOCK)) > BigInt(UpdateFlag.EXIST)) return -Errno.EINVAL;
    if (index >= this.maxEntries) return -Errno.E2BIG;
    if ((flags & BigInt(UpdateFlag.NOEXIST)) !== 0n) return -Errno.EEXIST;
    if ((flags & BigInt(UpdateFlag.LOCK)) !== 0n) return -Errno.EINVAL;
    return 0;
  }

  override lookupElem(keyAddr: bigint, pc?: number): bigint {
    const index = this.#index(this.readKey(keyAddr, pc));
    return index < this.maxEntries ? this.addressAt(this.#slot(index, this.cpus.current)) : 0n;
  }

  override updateElem(
    keyAddr: bigint,
    valueAddr: bigint,
    flags: bigint | number,
    pc?: number,
  ): number {
    if (this.readOnlyForPrograms) return -Errno.EPERM;
    const index = this.#index(this.readKey(keyAddr, pc));
    const value = this.readValue(valueAddr, pc);
    const err = this.#checkUpdate(index, toFlags(flags));
    if (err !== 0) return err;
    this.memory.set(value, this.base + this.#slot(index, this.cpus.current));
    return 0;
  }

  override deleteElem(keyAddr: bigint, pc?: number): number {
    this.readKey(keyAddr, pc);
    return -Errno.EINVAL;
  }

  lookup(key: Uint8Array): Uint8Array | undefined {
    this.checkKey(key);
    const index = this.#index(key);
    if (index >= this.maxEntries) return undefined;
    const at = this.base + this.#slot(index, this.cpus.current);
    return this.memory.slice(at, at + this.valueSize);
  }

  override lookupPerCpu(key: Uint8Array): Uint8Array[] | undefined {
    if (!this.#perCpu) throw this.wrongType('lookupPerCpu');
    this.checkKey(key);
    const index = this.#index(key);
    if (index >= this.maxEntries) return undefined;
    const memory = this.memory;
    return Array.from({ length: this.cpus.count }, (_, cpu) => {
      const at = this.base + this.#slot(index, cpu);
      return memory.slice(at, at + this.valueSize);
    });
  }

  update(key: Uint8Array, value: Uint8Array, flags = 0): number {
    this.checkKey(key);
    this.checkValue(value);
    return this.#store(key, () => value, flags);
  }

  override updatePerCpu(key: Uint8Array, values: readonly Uint8Array[], flags = 0): number {
    if (!this.#perCpu) throw this.wrongType('updatePerCpu');
    this.checkKey(key);
    this.checkPerCpuValues(values);
    return this.#store(key, (cpu) => values[cpu], flags);
  }

  #store(key: Uint8Array, valueFor: (cpu: number) => Uint8Array, flags: number): number {
    const index = this.#index(key);
    const err = this.#checkUpdate(index, toFlags(flags));
    if (err !== 0) return err;
    const memory = this.memory;
    const cpus = this.#perCpu ? this.cpus.count : 1;
    for (let cpu = 0; cpu < cpus; cpu++)
      memory.set(valueFor(cpu), this.base + this.#slot(index, cpu));
    return 0;
  }

  delete(key: Uint8Array): number {
    this.checkKey(key);
    return -Errno.EINVAL;
  }

  keys(): Uint8Array[] {
    return Array.from({ length: this.maxEntries }, (_, i) => indexKey(i));
  }

  /** Index order, as the kernel's: after `n` comes `n + 1`; an index out of range restarts at 0. */
  override nextKey(key?: Uint8Array): Uint8Array | undefined {
    if (key === undefined) return indexKey(0);
    this.checkKey(key);
    const index = this.#index(key);
    if (index >= this.maxEntries) return indexKey(0);
    return index + 1 < this.maxEntries ? indexKey(index + 1) : undefined;
  }
}

/** A u32 array index as a 4-byte little-endian key. */
export function indexKey(index: number): Uint8Array {
  const key = new Uint8Array(4);
  new DataView(key.buffer).setUint32(0, index >>> 0, true);
  return key;
}
