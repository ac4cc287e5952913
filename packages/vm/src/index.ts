/**
 * # @ebpf/vm
 *
 * eBPF virtual machines in the shape of rbpf's: four VM kinds over one core, a checked address
 * space in one `WebAssembly.Memory`, a helper registry, a fast interpreter, and an engine slot
 * that `@ebpf/jit` plugs into.
 *
 * - **VM kinds** (input layouts): {@link EbpfVmRaw} (r1 = the packet), {@link EbpfVmMbuff}
 *   (r1 = a metadata buffer the caller fills), {@link EbpfVmFixedMbuff} (the VM fills the packet
 *   pointers into its own metadata buffer), {@link EbpfVmNoData} (r1 = 0). All share
 *   `setProgram`, `setVerifier` (default `structural` from `@ebpf/verifier`; pass `noVerifier`
 *   to turn verification off), `registerHelper`, `registerAllowedMemory`, `executeProgram`
 *   (r0 as a `bigint`; the count in `lastInsnCount`) and the lower-level
 *   `run(input, { budget, args, engine })` giving `{ r0, insnCount }`.
 * - **Kernel program types**: {@link EbpfVmXdp} (`struct xdp_md`, packet with headroom for
 *   `adjustHead`/`adjustTail`/`adjustMeta`), {@link EbpfVmSocketFilter} and {@link EbpfVmTc}
 *   (`struct __sk_buff`). The context is a slow region (region 3, length 0 in the table): the
 *   engines' fault path asks it, so 4-byte loads of `data`/`data_end` give 64-bit pointers and
 *   fast paths cost nothing. Helpers reach the run's context through
 *   `HelperContext.programContext`.
 * - **Several programs per VM**: `loadProgram` returns a {@link ProgramHandle} for program
 *   arrays; `HelperContext.tailCall(handle)` makes the engine stop after the helper and the VM
 *   start the target (r1 = ctx, at most 33 in a chain). `setProgram(bytes, { resolveLddw })`
 *   resolves map and data `lddw`s at load time.
 * - **Address space**: virtual address = region index << 32 | offset. Region 1 is the stack
 *   (8 frames of 512 bytes, r10 at the top; each local call moves r10 down one frame), 2 the
 *   input, 3 the metadata buffer, 4 and up host memory. Every access is checked over its whole
 *   width; a violation throws a {@link VmError} (`VM_ACCESS_VIOLATION`) naming the instruction,
 *   address, size, load or store and every region. Input writes are copied back to the caller.
 * - **Helpers**: `(r1, r2, r3, r4, r5, ctx) => bigint | number`, arguments as unsigned 64-bit
 *   bigints; `ctx` reads and writes memory by virtual address, checked.
 * - **Semantics**: all of RFC 9669 plus callx (the register holds a helper id) and the legacy
 *   packet loads (the packet is the input region; out of bounds ends the run with r0 = 0).
 *   After a helper call or a packet load r1-r5 keep their values (the ISA leaves them undefined).
 *   Atomics must be naturally aligned (`VM_MISALIGNED_ATOMIC`), as the kernel requires; plain
 *   loads and stores may be misaligned.
 * - **Engines**: the interpreter (pre-decoded `Int32Array` stream, registers as 32-bit halves)
 *   and any {@link ExecutionEngine} given as `jit`: `jitCompile()`, `executeProgramJit()`, or
 *   `engine: 'jit'`. An engine reads the {@link AddressSpace} (`memory`, the region table at
 *   `REGION_TABLE_OFFSET`), calls helpers through {@link HelperTable.call} and throws the
 *   errors `AddressSpace.accessViolation` and `VmError` build.
 *
 * @example
 * import { assemble } from '@ebpf/assembler';
 * import { EbpfVmRaw } from '@ebpf/vm';
 *
 * const program = assemble('ldxb r0, [r1+1]\nadd r0, 1\nexit');
 * const vm = new EbpfVmRaw(program);
 * vm.registerHelper(5, (r1) => r1);
 * vm.executeProgram(new Uint8Array([1, 41])); // 42n
 * vm.run({ mem: new Uint8Array([1, 41]) }, { budget: 100 }); // { r0: 42n, insnCount: 3 }
 *
 * @packageDocumentation
 */

/** The verifiers a VM takes most often, re-exported for convenience. */
export { noVerifier, strict, structural, type Verifier } from '@ebpf/verifier';
export * from './address-space.js';
export * from './conformance-runner.js';
export * from './ebpf-vm.js';
export * from './engine.js';
export * from './engine-imports.js';
export * from './helpers.js';
export * from './input-layout.js';
export { interpreter } from './interpreter-engine.js';
export * from './linear-memory.js';
export * from './program-context.js';
export * from './resolve-lddw.js';
export * from './skb-context.js';
export * from './vm-errors.js';
export * from './xdp-context.js';
