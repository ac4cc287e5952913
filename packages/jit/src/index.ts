/**
 * # @ebpf/jit
 *
 * Compiles eBPF to WebAssembly: one module per program, written byte by byte (no binaryen),
 * that runs over the VM's own linear memory with every memory access checked against its region,
 * the interpreter's errors at the interpreter's instructions, and the same instruction count.
 *
 * - `createJit()` is the VM's JIT engine: `new EbpfVmRaw(prog, { jit: createJit() })`, then
 *   `vm.jitCompile()` and `vm.executeProgramJit(...)`, or `engine: 'jit'`.
 * - `compile(bytes)` gives the module's bytes, for tools and tests.
 *
 * How: registers are `i64` locals; control flow is rebuilt as WebAssembly blocks and loops from
 * the control-flow graph (a `br_table` dispatcher only inside irreducible loops); each eBPF
 * function is a WebAssembly function with its own frame; helpers are imported functions;
 * r10-relative accesses inside the frame need no check, others hit a per-register region cache.
 *
 * What the JIT needs from `@ebpf/vm` (all present; nothing here works around the VM): the
 * region table at a fixed physical offset of the one `WebAssembly.Memory` (16-byte entries:
 * base, length, flags), the stack at a fixed physical base with r10 starting at its top, the
 * `ExecutionEngine` slot, the helper table's `call`, and `AddressSpace.accessViolation` /
 * `misalignedAtomic` to build the same errors, and `engineImports` (the slow-region and tail-call
 * paths). During a run only a helper may change a table entry (the input's length, when a packet's
 * tail moves), so compiled code reads the bounds again after every call.
 *
 * Kernel program types: program contexts (XDP, `__sk_buff`) go through the VM's slow path on a
 * table miss, tail calls stop the run after the helper (`features: ['slow-regions',
 * 'tail-calls']`). Loops over `base + i` with `i` bounded by a compared limit get their checks
 * hoisted to function entry (with a fully checked copy for when the range does not fit).
 *
 * @example
 * import { createJit } from '@ebpf/jit';
 * import { EbpfVmRaw } from '@ebpf/vm';
 *
 * const vm = new EbpfVmRaw(program, { jit: createJit(), engine: 'jit' });
 * const { r0, insnCount } = vm.run({ mem: packet }, { budget: 1_000_000 });
 *
 * @packageDocumentation
 */
export * from './compile.js';
export * from './create-jit.js';
export type { Metering } from './emit-function.js';
export * from './jit-errors.js';
export * from './wasm-module.js';
export * from './wasm-opcodes.js';
export * from './wasm-writer.js';
