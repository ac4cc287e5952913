/**
 * What an object declares about one map. The loader creates no maps: it reports each map's
 * attributes, and programs refer to a map by its index in `BpfObject.maps` (see `link-program.ts`).
 */

/** Names of the kernel's map types (`enum bpf_map_type` in the UAPI header `linux/bpf.h`), by number. */
export const MAP_TYPE_NAMES: readonly string[] = Object.freeze([
  'unspec',
  'hash',
  'array',
  'prog_array',
  'perf_event_array',
  'percpu_hash',
  'percpu_array',
  'stack_trace',
  'cgroup_array',
  'lru_hash',
  'lru_percpu_hash',
  'lpm_trie',
  'array_of_maps',
  'hash_of_maps',
  'devmap',
  'sockmap',
  'cpumap',
  'xskmap',
  'sockhash',
  'cgroup_storage',
  'reuseport_sockarray',
  'percpu_cgroup_storage',
  'queue',
  'stack',
  'sk_storage',
  'devmap_hash',
  'struct_ops',
  'ringbuf',
  'inode_storage',
  'task_storage',
  'bloom_filter',
  'user_ringbuf',
  'cgrp_storage',
  'arena',
]);

/** One map an object declares, in `.maps` (BTF-defined) or in the legacy `maps` section. */
export interface MapDefinition {
  /** Position in `BpfObject.maps`: what a linked `lddw` (src 5, map by index) carries in its imm. */
  readonly index: number;
  /** The map variable's symbol name. */
  readonly name: string;
  /** `enum bpf_map_type` number. */
  readonly type: number;
  /** The type's name from {@link MAP_TYPE_NAMES} (`'hash'`), or `'unknown'` for numbers past it. */
  readonly typeName: string;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  /** `map_flags` (`BPF_F_NO_PREALLOC` = 1, ...). */
  readonly flags: number;
  /** Where the declaration came from. */
  readonly source: 'btf' | 'legacy';
  /** The section holding the map variable (`.maps` or `maps`). */
  readonly section: string;
  /** Offset of the map variable inside that section. */
  readonly offset: number;
  /** BTF-defined maps only: the key and value type ids given with `__type(key, T)`/`__type(value, T)`. */
  readonly keyTypeId?: number;
  readonly valueTypeId?: number;
  /** BTF-defined maps only: other integer attributes given with `__uint(name, value)` (`pinning`, `numa_node`, `map_extra`). */
  readonly extra?: Readonly<Record<string, number>>;
}

/** The name of map type `type` (`'percpu_array'` for 6). */
export function mapTypeName(type: number): string {
  return MAP_TYPE_NAMES[type] ?? 'unknown';
}
