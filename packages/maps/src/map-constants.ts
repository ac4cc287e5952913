/**
 * The kernel's numbers for maps, as the UAPI header `linux/bpf.h` and `errno.h` define them, so
 * that definitions read from an ELF object and the results programs see mean what they mean on
 * Linux.
 */

/** `enum bpf_map_type` numbers of the map types this package implements. */
export const MapType = Object.freeze({
  HASH: 1,
  ARRAY: 2,
  PROG_ARRAY: 3,
  PERCPU_HASH: 5,
  PERCPU_ARRAY: 6,
  LRU_HASH: 9,
  LRU_PERCPU_HASH: 10,
  LPM_TRIE: 11,
  QUEUE: 22,
  STACK: 23,
  RINGBUF: 27,
} as const);

/** A map type number this package implements. */
export type MapTypeNumber = (typeof MapType)[keyof typeof MapType];

/**
 * The kernel's names of `enum bpf_map_type` by number (also those not implemented here), for
 * messages: `'percpu_array'` for 6.
 */
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

/** The kernel's name of map type `type`, or `'unknown'`. */
export function mapTypeName(type: number): string {
  return (Number.isInteger(type) && MAP_TYPE_NAMES[type]) || 'unknown';
}

/** `map_flags` bits given at creation (`BPF_F_*`). */
export const MapFlag = Object.freeze({
  NO_PREALLOC: 1,
  NO_COMMON_LRU: 2,
  NUMA_NODE: 4,
  RDONLY: 1 << 3,
  WRONLY: 1 << 4,
  STACK_BUILD_ID: 1 << 5,
  ZERO_SEED: 1 << 6,
  RDONLY_PROG: 1 << 7,
  WRONLY_PROG: 1 << 8,
  CLONE: 1 << 9,
  MMAPABLE: 1 << 10,
  PRESERVE_ELEMS: 1 << 11,
  INNER_MAP: 1 << 12,
} as const);

/** The access bits (`BPF_F_ACCESS_MASK`): read-only/write-only for the syscall side and programs. */
export const MAP_ACCESS_MASK =
  MapFlag.RDONLY | MapFlag.WRONLY | MapFlag.RDONLY_PROG | MapFlag.WRONLY_PROG;

/** Flags of `map_update_elem` and `map_push_elem`. */
export const UpdateFlag = Object.freeze({
  /** Create a new element or update an existing one. */
  ANY: 0,
  /** Create a new element only. */
  NOEXIST: 1,
  /** Update an existing element only (push: overwrite the oldest when full). */
  EXIST: 2,
  /** Update under the value's `bpf_spin_lock` (refused here: no map has one). */
  LOCK: 4,
} as const);

/** Error numbers the kernel's map code returns (negated), from `errno.h`. */
export const Errno = Object.freeze({
  EPERM: 1,
  ENOENT: 2,
  E2BIG: 7,
  EAGAIN: 11,
  ENOMEM: 12,
  EBUSY: 16,
  EEXIST: 17,
  EINVAL: 22,
  ENOSPC: 28,
  EOPNOTSUPP: 95,
  ENOTSUPP: 524,
} as const);

/** The name of errno `n` (positive or negative): `'ENOENT'` for -2. */
export function errnoName(n: number): string {
  const abs = Math.abs(n);
  for (const [name, value] of Object.entries(Errno)) if (value === abs) return name;
  return `errno ${abs}`;
}

/** Ring buffer record header bits and sizes (`BPF_RINGBUF_*`). */
export const Ringbuf = Object.freeze({
  /** The record is reserved and not yet submitted or discarded. */
  BUSY_BIT: 0x8000_0000,
  /** The record was discarded: consumers skip it. */
  DISCARD_BIT: 0x4000_0000,
  /** Bytes of the header in front of every record: u32 length and flags, u32 page offset. */
  HEADER_SIZE: 8,
  /** The largest record a program may reserve (`RINGBUF_MAX_RECORD_SZ`, UINT_MAX / 4). */
  MAX_RECORD_SIZE: 0x3fff_ffff,
  /** The ring's size must be a multiple of this (the kernel's page size). */
  PAGE_SIZE: 4096,
} as const);

/** Flags of `bpf_ringbuf_output`/`submit`/`discard` (`BPF_RB_*`). */
export const RingbufFlag = Object.freeze({ NO_WAKEUP: 1, FORCE_WAKEUP: 2 } as const);

/** What `bpf_ringbuf_query` asks for (`BPF_RB_*`). */
export const RingbufQuery = Object.freeze({
  AVAIL_DATA: 0,
  RING_SIZE: 1,
  CONS_POS: 2,
  PROD_POS: 3,
} as const);
