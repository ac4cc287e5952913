/**
 * Hash maps: `BPF_MAP_TYPE_HASH` (1), `PERCPU_HASH` (5), `LRU_HASH` (9) and `LRU_PERCPU_HASH`
 * (10). Like the kernel's preallocated hash maps, values live in `max_entries` slots of one region
 * (times the CPU count for per-CPU maps), handed out from a free list; the key index is a JS `Map`.
 *
 * Semantics follow the kernel's: BPF_NOEXIST on a present key gives -EEXIST, BPF_EXIST on an
 * absent key -ENOENT, a new key in a full map -E2BIG; an LRU map instead evicts its least recently
 * used element. A program's lookup and every update count as a use; the host's `lookup` does not
 * (as the syscall's lookup does not). Two deliberate differences from Linux: the kernel's LRU is
 * approximate (per-CPU lists, reference bits, eviction in batches) while this one is exact, and an
 * update of a present key rewrites its value in place (the kernel swaps in a new element), so a
 * value address stays valid until its key is deleted.
 */
import { type MapEnvironment, toFlags } from './bpf-map.js';
import { byteKey, KeyValueMap } from './key-value-map.js';
import { Errno, MAP_ACCESS_MASK, MapFlag, MapType, UpdateFlag } from './map-constants.js';
import { type CheckedDefinition, checkDefinition } from './map-definition.js';
import { MAP_BAD_FLAGS, MAP_BAD_VALUE_SIZE, MapError } from './map-errors.js';

/**
 * About the kernel's bound on key size plus value size (`KMALLOC_MAX_SIZE`, 4 MiB on x86-64, less
 * the element header). Linux 5.11 dropped the older 512-byte bound on keys alone.
 */
const HASH_KEY_VALUE_MAX = (1 << 22) - 64;
const PERCPU_VALUE_MAX = 32768;

interface Entry {
  readonly key: Uint8Array;
  readonly slot: number;
}

/**
 * A hash map of any of the four hash types.
 *
 * @example
 * const seen = createMap({ name: 'seen', type: MapType.LRU_HASH, keySize: 4, valueSize: 8, maxEntries: 1024 }, vm) as HashMap;
 * seen.update(new Uint8Array([10, 0, 0, 1]), new Uint8Array(8)); // 0
 */
export class HashMap extends KeyValueMap {
  /** Whether the map evicts its least recently used element when full. */
  readonly lru: boolean;
  readonly #perCpu: boolean;
  readonly #cpuCount: number;
  /** Elements by key; for LRU maps in order of use, least recent first. */
  readonly #entries = new Map<string, Entry>();
  readonly #free: number[] = [];
  #fresh = 0;

  constructor(def: CheckedDefinition, env: MapEnvironment) {
    const perCpu = def.type === MapType.PERCPU_HASH || def.type === MapType.LRU_PERCPU_HASH;
    const lru = def.type === MapType.LRU_HASH || def.type === MapType.LRU_PERCPU_HASH;
    checkDefinition(def, {
      keySize: [1, HASH_KEY_VALUE_MAX],
      valueSize: [1, perCpu ? PERCPU_VALUE_MAX : HASH_KEY_VALUE_MAX],
      flagMask:
        MapFlag.NO_PREALLOC |
        MapFlag.NO_COMMON_LRU |
        MapFlag.NUMA_NODE |
        MapFlag.ZERO_SEED |
        MAP_ACCESS_MASK,
    });
    const bad = (errno: number, problem: string) =>
      new MapError(MAP_BAD_FLAGS, {
        map: def.name,
        typeName: def.typeName,
        errno,
        flags: def.flags,
        problem,
      });
    if (!lru && (def.flags & MapFlag.NO_COMMON_LRU) !== 0) {
      throw bad(Errno.EINVAL, 'BPF_F_NO_COMMON_LRU is for LRU maps only');
    }
    if (lru && (def.flags & MapFlag.NO_PREALLOC) !== 0) {
      throw bad(Errno.ENOTSUPP, 'LRU maps are always preallocated (BPF_F_NO_PREALLOC refused)');
    }
    if (perCpu && (def.flags & MapFlag.NUMA_NODE) !== 0) {
      throw bad(Errno.EINVAL, 'per-CPU maps take no NUMA node');
    }
    if (def.keySize + def.valueSize >= HASH_KEY_VALUE_MAX) {
      throw new MapError(MAP_BAD_VALUE_SIZE, {
        map: def.name,
        typeName: def.typeName,
        errno: Errno.E2BIG,
        valueSize: def.valueSize,
        expected: `key size + value size below ${HASH_KEY_VALUE_MAX}`,
      });
    }
    const cpuCount = perCpu ? env.cpus.count : 1;
    super(def, env, def.maxEntries * Math.ceil(def.valueSize / 8) * 8 * cpuCount);
    this.lru = lru;
    this.#perCpu = perCpu;
    this.#cpuCount = cpuCount;
  }

  override get perCpu(): boolean {
    return this.#perCpu;
  }

  get size(): number {
    return this.#entries.size;
  }

  #offset(slot: number, cpu: number): number {
    return (slot * this.#cpuCount + cpu) * this.valueStride;
  }

  #touch(id: string, entry: Entry): void {
    if (!this.lru) return;
    this.#entries.delete(id);
    this.#entries.set(id, entry);
  }

  #allocate(): number | undefined {
    if (this.#free.length > 0) return this.#free.pop();
    if (this.#fresh < this.maxEntries) return this.#fresh++;
    if (!this.lru) return undefined;
    // Full LRU map: evict the least recently used element (the first in use order).
    const [id, victim] = this.#entries.entries().next().value as [string, Entry];
    this.#entries.delete(id);
    return victim.slot;
  }

  #remove(key: Uint8Array): number {
    const id = byteKey(key);
    const entry = this.#entries.get(id);
    if (!entry) return -Errno.ENOENT;
    this.#entries.delete(id);
    this.#free.push(entry.slot);
    return 0;
  }

  /**
   * The kernel's update: flag checks, then a rewrite in place or a new element. `write(slot,
   * fresh)` stores the value(s) once the slot is known.
   */
  #store(key: Uint8Array, flags: bigint, write: (slot: number, fresh: boolean) => void): number {
    if ((flags & ~BigInt(UpdateFlag.LOCK)) > BigInt(UpdateFlag.EXIST)) return -Errno.EINVAL;
    if ((flags & BigInt(UpdateFlag.LOCK)) !== 0n) return -Errno.EINVAL; // no bpf_spin_lock in values
    const id = byteKey(key);
    const existing = this.#entries.get(id);
    const mode = flags & 3n;
    if (existing && mode === BigInt(UpdateFlag.NOEXIST)) return -Errno.EEXIST;
    if (!existing && mode === BigInt(UpdateFlag.EXIST)) return -Errno.ENOENT;
    if (existing) {
      write(existing.slot, false);
      this.#touch(id, existing);
      return 0;
    }
    const slot = this.#allocate();
    if (slot === undefined) return -Errno.E2BIG;
    this.memory.fill(0, this.base + this.#offset(slot, 0), this.base + this.#offset(slot + 1, 0));
    write(slot, true);
    this.#entries.set(id, { key: new Uint8Array(key), slot });
    return 0;
  }

  override lookupElem(keyAddr: bigint, pc?: number): bigint {
    const id = byteKey(this.readKey(keyAddr, pc));
    const entry = this.#entries.get(id);
    if (!entry) return 0n;
    this.#touch(id, entry);
    return this.addressAt(this.#offset(entry.slot, this.#perCpu ? this.cpus.current : 0));
  }

  override updateElem(
    keyAddr: bigint,
    valueAddr: bigint,
    flags: bigint | number,
    pc?: number,
  ): number {
    if (this.readOnlyForPrograms) return -Errno.EPERM;
    const key = this.readKey(keyAddr, pc);
    const value = this.readValue(valueAddr, pc);
    const cpu = this.#perCpu ? this.cpus.current : 0;
    // A program's update of a per-CPU map sets the current CPU's value; a new element starts at
    // zero on the other CPUs.
    return this.#store(key, toFlags(flags), (slot) => {
      this.memory.set(value, this.base + this.#offset(slot, cpu));
    });
  }

  override deleteElem(keyAddr: bigint, pc?: number): number {
    if (this.readOnlyForPrograms) return -Errno.EPERM;
    return this.#remove(this.readKey(keyAddr, pc));
  }

  lookup(key: Uint8Array): Uint8Array | undefined {
    this.checkKey(key);
    const entry = this.#entries.get(byteKey(key));
    if (!entry) return undefined;
    const at = this.base + this.#offset(entry.slot, this.#perCpu ? this.cpus.current : 0);
    return this.memory.slice(at, at + this.valueSize);
  }

  override lookupPerCpu(key: Uint8Array): Uint8Array[] | undefined {
    if (!this.#perCpu) throw this.wrongType('lookupPerCpu');
    this.checkKey(key);
    const entry = this.#entries.get(byteKey(key));
    if (!entry) return undefined;
    const memory = this.memory;
    return Array.from({ length: this.#cpuCount }, (_, cpu) => {
      const at = this.base + this.#offset(entry.slot, cpu);
      return memory.slice(at, at + this.valueSize);
    });
  }

  update(key: Uint8Array, value: Uint8Array, flags = 0): number {
    this.checkKey(key);
    this.checkValue(value);
    return this.#store(key, toFlags(flags), (slot) => {
      for (let cpu = 0; cpu < this.#cpuCount; cpu++) {
        this.memory.set(value, this.base + this.#offset(slot, cpu));
      }
    });
  }

  override updatePerCpu(key: Uint8Array, values: readonly Uint8Array[], flags = 0): number {
    if (!this.#perCpu) throw this.wrongType('updatePerCpu');
    this.checkKey(key);
    this.checkPerCpuValues(values);
    return this.#store(key, toFlags(flags), (slot) => {
      for (let cpu = 0; cpu < this.#cpuCount; cpu++) {
        this.memory.set(values[cpu], this.base + this.#offset(slot, cpu));
      }
    });
  }

  delete(key: Uint8Array): number {
    this.checkKey(key);
    return this.#remove(key);
  }

  /** Keys in insertion order (LRU maps: least recently used first); the kernel's is its hash's. */
  keys(): Uint8Array[] {
    return [...this.#entries.values()].map((e) => new Uint8Array(e.key));
  }
}
