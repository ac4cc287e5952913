/**
 * `BPF_MAP_TYPE_LPM_TRIE` (11): longest-prefix match. A key is a u32 prefix length (in bits,
 * little-endian as the VM stores it) followed by `keySize - 4` bytes of data, compared from the
 * most significant bit of the first byte (network order for IPv4 and IPv6 addresses).
 *
 * A lookup finds the stored prefix that matches the most leading bits of the key's data, up to
 * the key's own prefix length; updates and deletes work on exact prefixes. As in the kernel the
 * map needs `BPF_F_NO_PREALLOC`, a full map refuses new prefixes with -ENOSPC, and keys iterate in
 * the kernel's order (a post-order walk of the trie: more specific prefixes before the prefixes
 * that contain them, a 0 bit before a 1 bit). Unlike the kernel, the value memory is reserved for
 * `max_entries` values up front, so that values have fixed addresses in the VM.
 */
import { type MapEnvironment, toFlags } from './bpf-map.js';
import { byteKey, KeyValueMap } from './key-value-map.js';
import { Errno, MAP_ACCESS_MASK, MapFlag, UpdateFlag } from './map-constants.js';
import { type CheckedDefinition, checkDefinition } from './map-definition.js';

/** The most bytes of data an LPM key has (`LPM_DATA_SIZE_MAX`). */
const LPM_DATA_MAX = 256;
/** About the kernel's bound on LPM values (`KMALLOC_MAX_SIZE` less the node and key). */
const LPM_VALUE_MAX = (1 << 22) - LPM_DATA_MAX - 64;

interface Entry {
  /** The whole key as last stored (prefix length, then data; bits past the prefix as given). */
  key: Uint8Array;
  readonly prefixLen: number;
  readonly slot: number;
}

/** `data` with every bit after the first `bits` cleared. */
function maskBits(data: Uint8Array, bits: number): Uint8Array {
  const out = new Uint8Array(data.length);
  const whole = bits >>> 3;
  out.set(data.subarray(0, whole));
  const rest = bits & 7;
  if (rest !== 0) out[whole] = data[whole] & (0xff << (8 - rest));
  return out;
}

function bitAt(data: Uint8Array, i: number): number {
  return (data[i >>> 3] >> (7 - (i & 7))) & 1;
}

/**
 * An LPM trie map.
 *
 * @example
 * const routes = createMap({ name: 'routes', type: MapType.LPM_TRIE, keySize: 8, valueSize: 4, maxEntries: 64, flags: MapFlag.NO_PREALLOC }, vm) as LpmTrieMap;
 * routes.update(lpmKey(24, [10, 1, 2, 0]), u32.encode(7));
 * routes.longestMatch(lpmKey(32, [10, 1, 2, 3])); // the 10.1.2.0/24 value
 */
export class LpmTrieMap extends KeyValueMap {
  /** The longest prefix a key can have: 8 bits per data byte. */
  readonly maxPrefixLen: number;
  /** Entries by prefix length, then by masked data. */
  readonly #byLength = new Map<number, Map<string, Entry>>();
  /** The prefix lengths in use, longest first. */
  #lengths: number[] = [];
  #count = 0;
  readonly #free: number[] = [];
  #fresh = 0;

  constructor(def: CheckedDefinition, env: MapEnvironment) {
    checkDefinition(def, {
      keySize: [4 + 1, 4 + LPM_DATA_MAX],
      valueSize: [1, LPM_VALUE_MAX],
      flagMask: MapFlag.NO_PREALLOC | MapFlag.NUMA_NODE | MAP_ACCESS_MASK,
      requiredFlags: MapFlag.NO_PREALLOC,
      tooBigErrno: Errno.EINVAL,
    });
    super(def, env, def.maxEntries * Math.ceil(def.valueSize / 8) * 8);
    this.maxPrefixLen = (def.keySize - 4) * 8;
  }

  get size(): number {
    return this.#count;
  }

  #split(key: Uint8Array): { prefixLen: number; data: Uint8Array } {
    const prefixLen = (key[0] | (key[1] << 8) | (key[2] << 16) | (key[3] << 24)) >>> 0;
    return { prefixLen, data: key.subarray(4) };
  }

  #exact(prefixLen: number, data: Uint8Array): Entry | undefined {
    return this.#byLength.get(prefixLen)?.get(byteKey(maskBits(data, prefixLen)));
  }

  /** The entry with the longest prefix that matches `key` (within the key's prefix length). */
  #match(key: Uint8Array): Entry | undefined {
    const { prefixLen, data } = this.#split(key);
    for (const len of this.#lengths) {
      if (len > prefixLen) continue;
      const hit = this.#byLength.get(len)!.get(byteKey(maskBits(data, len)));
      if (hit) return hit;
    }
    return undefined;
  }

  #valueAt(entry: Entry): number {
    return this.base + entry.slot * this.valueStride;
  }

  #store(key: Uint8Array, flags: bigint, value: Uint8Array): number {
    if (flags > BigInt(UpdateFlag.EXIST)) return -Errno.EINVAL;
    const { prefixLen, data } = this.#split(key);
    if (prefixLen > this.maxPrefixLen) return -Errno.EINVAL;
    const existing = this.#exact(prefixLen, data);
    if (existing) {
      if (flags === BigInt(UpdateFlag.NOEXIST)) return -Errno.EEXIST;
      existing.key = new Uint8Array(key);
      this.memory.set(value, this.#valueAt(existing));
      return 0;
    }
    if (flags === BigInt(UpdateFlag.EXIST)) return -Errno.ENOENT;
    if (this.#count === this.maxEntries) return -Errno.ENOSPC;
    const slot = this.#free.length > 0 ? this.#free.pop()! : this.#fresh++;
    const entry: Entry = { key: new Uint8Array(key), prefixLen, slot };
    let bucket = this.#byLength.get(prefixLen);
    if (!bucket) {
      bucket = new Map();
      this.#byLength.set(prefixLen, bucket);
      this.#lengths = [...this.#byLength.keys()].sort((a, b) => b - a);
    }
    bucket.set(byteKey(maskBits(data, prefixLen)), entry);
    this.#count++;
    const at = this.#valueAt(entry);
    this.memory.fill(0, at, at + this.valueStride);
    this.memory.set(value, at);
    return 0;
  }

  #remove(key: Uint8Array): number {
    const { prefixLen, data } = this.#split(key);
    if (prefixLen > this.maxPrefixLen) return -Errno.EINVAL;
    const bucket = this.#byLength.get(prefixLen);
    const id = byteKey(maskBits(data, prefixLen));
    const entry = bucket?.get(id);
    if (!bucket || !entry) return -Errno.ENOENT;
    bucket.delete(id);
    if (bucket.size === 0) {
      this.#byLength.delete(prefixLen);
      this.#lengths = this.#lengths.filter((l) => l !== prefixLen);
    }
    this.#free.push(entry.slot);
    this.#count--;
    return 0;
  }

  override lookupElem(keyAddr: bigint, pc?: number): bigint {
    const entry = this.#match(this.readKey(keyAddr, pc));
    return entry ? this.addressAt(entry.slot * this.valueStride) : 0n;
  }

  override updateElem(
    keyAddr: bigint,
    valueAddr: bigint,
    flags: bigint | number,
    pc?: number,
  ): number {
    if (this.readOnlyForPrograms) return -Errno.EPERM;
    const key = this.readKey(keyAddr, pc);
    return this.#store(key, toFlags(flags), this.readValue(valueAddr, pc));
  }

  override deleteElem(keyAddr: bigint, pc?: number): number {
    if (this.readOnlyForPrograms) return -Errno.EPERM;
    return this.#remove(this.readKey(keyAddr, pc));
  }

  /** The value of the longest prefix matching `key` (what a program's lookup finds), a copy. */
  lookup(key: Uint8Array): Uint8Array | undefined {
    this.checkKey(key);
    const entry = this.#match(key);
    return entry
      ? this.memory.slice(this.#valueAt(entry), this.#valueAt(entry) + this.valueSize)
      : undefined;
  }

  /** The stored key (prefix length and data) that `key` matches longest, or `undefined`. */
  longestMatch(key: Uint8Array): Uint8Array | undefined {
    this.checkKey(key);
    const entry = this.#match(key);
    return entry ? new Uint8Array(entry.key) : undefined;
  }

  update(key: Uint8Array, value: Uint8Array, flags = 0): number {
    this.checkKey(key);
    this.checkValue(value);
    return this.#store(key, toFlags(flags), value);
  }

  delete(key: Uint8Array): number {
    this.checkKey(key);
    return this.#remove(key);
  }

  /** Keys in the kernel's post-order: longer prefixes before the prefixes containing them. */
  keys(): Uint8Array[] {
    const all: Entry[] = [];
    for (const bucket of this.#byLength.values()) all.push(...bucket.values());
    all.sort((a, b) => {
      const da = a.key.subarray(4);
      const db = b.key.subarray(4);
      const common = Math.min(a.prefixLen, b.prefixLen);
      for (let i = 0; i < common; i++) {
        const x = bitAt(da, i);
        const y = bitAt(db, i);
        if (x !== y) return x - y;
      }
      return b.prefixLen - a.prefixLen;
    });
    return all.map((e) => new Uint8Array(e.key));
  }

  /** Exact entries: entries() pairs each stored key with its own value, not a longest match. */
  override entries(): [Uint8Array, Uint8Array][] {
    return this.keys().map((k) => {
      const { prefixLen, data } = this.#split(k);
      const entry = this.#exact(prefixLen, data)!;
      return [k, this.memory.slice(this.#valueAt(entry), this.#valueAt(entry) + this.valueSize)];
    });
  }

  /** After `key` (an exact stored prefix) in {@link keys} order; the first key otherwise. */
  override nextKey(key?: Uint8Array): Uint8Array | undefined {
    const all = this.keys();
    if (key === undefined) return all[0];
    this.checkKey(key);
    const { prefixLen, data } = this.#split(key);
    const target = this.#exact(prefixLen, data);
    if (!target) return all[0];
    const masked = byteKey(maskBits(data, prefixLen));
    const at = all.findIndex((k) => {
      const s = this.#split(k);
      return s.prefixLen === prefixLen && byteKey(maskBits(s.data, prefixLen)) === masked;
    });
    return all[at + 1];
  }
}
