/**
 * # @ebpf/maps
 *
 * User-space eBPF maps with the kernel's semantics, whose values live in the VM's address space:
 * a program's `bpf_map_lookup_elem` gets a real pointer (a virtual address into the map's region)
 * that the interpreter and the JIT dereference with their usual bounds checks.
 *
 * - **Types**: array (2), per-CPU array (6), hash (1), per-CPU hash (5), LRU hash (9), LRU
 *   per-CPU hash (10), LPM trie (11), queue (22), stack (23), ring buffer (27) and program array
 *   (3), created from the ELF-style definition `{ name, type, keySize, valueSize, maxEntries,
 *   flags }` by {@link createMap} or {@link MapSet.create}, checked as `BPF_MAP_CREATE` checks
 *   them (bad definitions throw a {@link MapError} of kind `'load'`). Array maps take an
 *   `initialValue` (libbpf's internal maps of `.data`/`.rodata`); `BPF_F_RDONLY_PROG` makes the
 *   values read-only for programs while the host can still write them.
 * - **Program side** (what helpers call, by virtual address): `lookupElem(keyAddr)` → value
 *   address or 0n; `updateElem(keyAddr, valueAddr, flags)`, `deleteElem`, `pushElem`,
 *   `popElem`, `peekElem` → 0 or a negative errno; ring buffers' `reserve`, `submit`, `discard`,
 *   `output`, `query`; program arrays' `tailCallTarget`.
 * - **Host side**: byte keys and values (`lookup`, `update`, `delete`, `nextKey`, `keys`,
 *   `entries`, `lookupPerCpu`, `updatePerCpu`), typed through codecs with {@link createTypedMap}
 *   (`u32`, `u64`, `struct({...})`, `lpmKeyCodec(n)`); queue/stack `push`/`pop`/`peek`; ring
 *   buffer `consume`/`drain`.
 * - **{@link MapSet}**: numbers maps by index and fd, gives programs opaque handles, rewrites
 *   `lddw` map references (src 1, 2, 5, 6) into plain `lddw`s, and holds the current CPU.
 *
 * @example
 * import { assemble } from '@ebpf/assembler';
 * import { EbpfVmNoData } from '@ebpf/vm';
 * import { MapSet, MapType, createTypedMap, u32, u64 } from '@ebpf/maps';
 *
 * const vm = new EbpfVmNoData();
 * const maps = new MapSet(vm);
 * const counters = maps.create({ name: 'counters', type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 });
 * vm.registerHelper(1, (r1, r2) => maps.fromHandle(r1)?.lookupElem(r2) ?? 0n);
 * vm.setProgram(maps.relocate(assemble(`
 *   stw [r10-4], 0
 *   lddw_map_idx r1, 0
 *   mov r2, r10
 *   add r2, -4
 *   call 1
 *   jeq r0, 0, +2
 *   mov r1, 1
 *   lock add [r0], r1
 *   mov r0, 0
 *   exit`)));
 * vm.executeProgram();
 * createTypedMap(counters, { key: u32, value: u64 }).get(0); // 1n
 *
 * @packageDocumentation
 */
export * from './array-map.js';
export * from './bpf-map.js';
export * from './codec.js';
export * from './cpu-state.js';
export * from './create-map.js';
export * from './hash-map.js';
export * from './key-value-map.js';
export * from './lpm-trie-map.js';
export * from './map-constants.js';
export * from './map-definition.js';
export * from './map-errors.js';
export * from './map-set.js';
export * from './program-array-map.js';
export * from './queue-stack-map.js';
export * from './ring-buffer-map.js';
export * from './typed-map.js';
