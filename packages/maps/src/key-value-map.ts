/**
 * The host side shared by maps of keys and values (arrays, hashes, LRU hashes, LPM tries): byte
 * keys and values in, copies out, and the kernel's errno results. Typed access goes through
 * {@link createTypedMap} on top.
 */
import { BpfMap } from './bpf-map.js';
import {
  MAP_BAD_ARGUMENT,
  MAP_BAD_KEY,
  MAP_BAD_VALUE,
  MAP_WRONG_TYPE,
  MapError,
} from './map-errors.js';

/** Whether two byte strings are equal. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A byte string as a JS string (one char per byte), to key a `Map`. */
export function byteKey(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

/** A map of keys to values, with the host-side operations of the `bpf` syscall. */
export abstract class KeyValueMap extends BpfMap {
  /** Whether the map keeps one value per CPU. */
  get perCpu(): boolean {
    return false;
  }

  /** The number of elements stored. */
  abstract get size(): number;

  /**
   * A copy of the value stored under `key` (for per-CPU maps, the current CPU's), or `undefined`.
   * Unlike a program's lookup, this does not count as a use for LRU maps (as the syscall's).
   */
  abstract lookup(key: Uint8Array): Uint8Array | undefined;

  /**
   * Stores `value` under `key` with `flags` ({@link UpdateFlag}); per-CPU maps store it for every
   * CPU. Returns 0 or the kernel's negative errno (-EEXIST, -ENOENT, -E2BIG, -EINVAL, ...).
   */
  abstract update(key: Uint8Array, value: Uint8Array, flags?: number): number;

  /** Removes `key`. Returns 0 or a negative errno (-ENOENT; -EINVAL for arrays). */
  abstract delete(key: Uint8Array): number;

  /** Every key, in the kernel's iteration order where it has one (copies). */
  abstract keys(): Uint8Array[];

  /**
   * `BPF_MAP_GET_NEXT_KEY`: the key after `key`, the first key when `key` is omitted or not in the
   * map, `undefined` after the last.
   */
  nextKey(key?: Uint8Array): Uint8Array | undefined {
    const all = this.keys();
    if (key === undefined) return all[0];
    this.checkKey(key);
    const at = all.findIndex((k) => bytesEqual(k, key));
    return at < 0 ? all[0] : all[at + 1];
  }

  /** Every key with a copy of its value, in {@link keys} order. */
  entries(): [Uint8Array, Uint8Array][] {
    const out: [Uint8Array, Uint8Array][] = [];
    for (const k of this.keys()) {
      const v = this.lookup(k);
      if (v !== undefined) out.push([k, v]);
    }
    return out;
  }

  /** Per-CPU maps: a copy of every CPU's value under `key`, or `undefined`. */
  lookupPerCpu(_key: Uint8Array): Uint8Array[] | undefined {
    throw this.wrongType('lookupPerCpu');
  }

  /** Per-CPU maps: stores one value per CPU (`values.length` must be the CPU count). */
  updatePerCpu(_key: Uint8Array, _values: readonly Uint8Array[], _flags?: number): number {
    throw this.wrongType('updatePerCpu');
  }

  /** The error for an operation this type lacks. */
  protected wrongType(operation: string): MapError {
    return new MapError(MAP_WRONG_TYPE, { map: this.name, typeName: this.typeName, operation });
  }

  /** Throws `MAP_BAD_KEY` unless `key` is a `Uint8Array` of the key size. */
  protected checkKey(key: Uint8Array): void {
    if (!(key instanceof Uint8Array) || key.length !== this.keySize) {
      throw new MapError(MAP_BAD_KEY, {
        map: this.name,
        expected: this.keySize,
        actual: key instanceof Uint8Array ? key.length : -1,
      });
    }
  }

  /** Throws `MAP_BAD_VALUE` unless `value` is a `Uint8Array` of the value size. */
  protected checkValue(value: Uint8Array): void {
    if (!(value instanceof Uint8Array) || value.length !== this.valueSize) {
      throw new MapError(MAP_BAD_VALUE, {
        map: this.name,
        expected: this.valueSize,
        actual: value instanceof Uint8Array ? value.length : -1,
      });
    }
  }

  /** Checks a per-CPU value list: one value of the value size per CPU. */
  protected checkPerCpuValues(values: readonly Uint8Array[]): void {
    if (!Array.isArray(values) || values.length !== this.cpus.count) {
      throw new MapError(MAP_BAD_ARGUMENT, {
        argument: `per-CPU values of map '${this.name}'`,
        problem: `${Array.isArray(values) ? values.length : 'no'} values for ${this.cpus.count} CPUs`,
      });
    }
    for (const v of values) this.checkValue(v);
  }
}
