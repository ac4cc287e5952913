/**
 * Typed access to a key-value map through codecs: `get`/`set`/`delete` with TypeScript values,
 * refusals as typed errors instead of errno numbers.
 */
import type { BpfMap } from './bpf-map.js';
import type { Codec } from './codec.js';
import { KeyValueMap } from './key-value-map.js';
import { Errno, errnoName } from './map-constants.js';
import { MAP_BAD_ARGUMENT, MAP_OPERATION_FAILED, MAP_WRONG_TYPE, MapError } from './map-errors.js';

/**
 * A key-value map seen through a key codec and a value codec.
 *
 * @example
 * const counters = createTypedMap(maps.create(def), { key: u32, value: u64 });
 * counters.set(0, 5n);
 * counters.get(0); // 5n
 */
export class TypedMap<K, V> {
  readonly map: KeyValueMap;
  readonly key: Codec<K>;
  readonly value: Codec<V>;

  constructor(map: KeyValueMap, codecs: { readonly key: Codec<K>; readonly value: Codec<V> }) {
    this.map = map;
    this.key = codecs.key;
    this.value = codecs.value;
    for (const [what, codec, size] of [
      ['key', codecs.key, map.keySize],
      ['value', codecs.value, map.valueSize],
    ] as const) {
      if (codec.size !== size) {
        throw new MapError(MAP_BAD_ARGUMENT, {
          argument: `${what} codec for map '${map.name}'`,
          problem: `encodes ${codec.size} bytes; the map's ${what} size is ${size}`,
        });
      }
    }
  }

  #fail(operation: string, errno: number): MapError {
    return new MapError(MAP_OPERATION_FAILED, {
      map: this.map.name,
      operation,
      errno,
      errnoName: errnoName(errno),
    });
  }

  /** The number of elements. */
  get size(): number {
    return this.map.size;
  }

  /** The value under `key` (per-CPU maps: the current CPU's), or `undefined`. */
  get(key: K): V | undefined {
    const raw = this.map.lookup(this.key.encode(key));
    return raw === undefined ? undefined : this.value.decode(raw);
  }

  /** Whether `key` has a value. */
  has(key: K): boolean {
    return this.map.lookup(this.key.encode(key)) !== undefined;
  }

  /**
   * Stores `value` under `key` with `flags` ({@link UpdateFlag}).
   *
   * @throws MapError MAP_OPERATION_FAILED with the kernel's errno when the map refuses.
   */
  set(key: K, value: V, flags = 0): void {
    const err = this.map.update(this.key.encode(key), this.value.encode(value), flags);
    if (err !== 0) throw this.#fail('update', err);
  }

  /** Removes `key`; returns whether it was there. @throws MapError for maps that cannot delete. */
  delete(key: K): boolean {
    const err = this.map.delete(this.key.encode(key));
    if (err === -Errno.ENOENT) return false;
    if (err !== 0) throw this.#fail('delete', err);
    return true;
  }

  /** Every CPU's value under `key` (per-CPU maps only), or `undefined`. */
  getPerCpu(key: K): V[] | undefined {
    return this.map.lookupPerCpu(this.key.encode(key))?.map((v) => this.value.decode(v));
  }

  /** Stores one value per CPU (per-CPU maps only). */
  setPerCpu(key: K, values: readonly V[], flags = 0): void {
    const err = this.map.updatePerCpu(
      this.key.encode(key),
      values.map((v) => this.value.encode(v)),
      flags,
    );
    if (err !== 0) throw this.#fail('update', err);
  }

  /** Every key, in the map's iteration order. */
  keys(): K[] {
    return this.map.keys().map((k) => this.key.decode(k));
  }

  /** Every value, in key order. */
  values(): V[] {
    return this.map.entries().map(([, v]) => this.value.decode(v));
  }

  /** Every key with its value, in key order. */
  entries(): [K, V][] {
    return this.map.entries().map(([k, v]) => [this.key.decode(k), this.value.decode(v)]);
  }
}

/**
 * A typed view of a key-value map (array, hash, LRU, per-CPU, LPM trie).
 *
 * @throws MapError MAP_WRONG_TYPE for queues, stacks, ring buffers and program arrays;
 * MAP_BAD_ARGUMENT when a codec's size is not the map's key or value size.
 */
export function createTypedMap<K, V>(
  map: BpfMap,
  codecs: { readonly key: Codec<K>; readonly value: Codec<V> },
): TypedMap<K, V> {
  if (!(map instanceof KeyValueMap)) {
    throw new MapError(MAP_WRONG_TYPE, {
      map: map.name,
      typeName: map.typeName,
      operation: 'typed key-value access',
    });
  }
  return new TypedMap(map, codecs);
}
