/**
 * # @ebpf/helpers
 *
 * Kernel-style eBPF helpers with typed prototypes, as helper sets a user can extend, trim or
 * replace.
 *
 * - **{@link kernelHelpers}**`(options)` gives a {@link HelperSet}: the kernel's helpers at
 *   their kernel ids (`linux/bpf.h`), with the kernel's semantics: maps (1-3, 87-89), ring
 *   buffers (130-134), `probe_read` and its variants (4, 45, 112-115: limited to VM memory, a bad
 *   source gives -EFAULT and a zeroed destination), clocks (5, 118, 125, 160, 208),
 *   `trace_printk` (6) and `snprintf` (165), random numbers (7), CPU and task (8, 14-16, 42),
 *   checksums (10, 11, 28), packet bytes (9, 26, 188-190), XDP adjustment (44, 54, 65),
 *   `tail_call` (12) and `strncmp` (182). {@link KernelHelper} names the ids.
 * - **Host environment**: `{ maps, clock, random, seed, pid, tgid, uid, gid, comm, cpu,
 *   numaNode, traceSink, hz, checksumOffload, hooks }`, all optional with deterministic
 *   defaults ({@link createSteppingClock}, {@link createSeededRandom}).
 * - **{@link rbpfHelpers}**`()`: rbpf's own set (`gather_bytes` 0, `memfrob` 1, `sqrti` 3,
 *   `strcmp` 4, `bpf_time_getns` 5, `bpf_trace_printf` 6), separate because its ids collide
 *   with the kernel's.
 * - **Sets are values**: `set.with(id, { name, fn, prototype })`, `.without(...ids)`,
 *   `.only(...names)`, `.merge(other)`; {@link installHelpers}`(vm, set)` registers each helper
 *   with its prototype (for the strict verifier).
 * - **Errors**: helpers fault with the VM's own errors on memory the kernel's verifier would
 *   have refused, and throw a {@link HelperError} (10000-10999) when a program hands a map
 *   helper something that is no map, or a helper needs a VM facility the VM lacks.
 *
 * @example
 * import { assemble } from '@ebpf/assembler';
 * import { installHelpers, kernelHelpers } from '@ebpf/helpers';
 * import { MapSet, MapType } from '@ebpf/maps';
 * import { EbpfVmNoData } from '@ebpf/vm';
 *
 * const vm = new EbpfVmNoData();
 * const maps = new MapSet(vm);
 * maps.create({ name: 'counts', type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 });
 * installHelpers(vm, kernelHelpers({ maps }));
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
 *
 * @packageDocumentation
 */
export * from './checksum.js';
export * from './format-printk.js';
export {
  HelperErrno,
  negateErrno,
  readableLength,
  tryRead,
  tryReadCString,
} from './guest-memory.js';
export * from './helper-environment.js';
export * from './helper-errors.js';
export * from './helper-set.js';
export * from './host-clock.js';
export * from './kernel-helper-ids.js';
export * from './kernel-helpers.js';
export * from './rbpf-helpers.js';
export * from './runtime-hooks.js';
export * from './seeded-random.js';
export { initialJiffies } from './time-helpers.js';
