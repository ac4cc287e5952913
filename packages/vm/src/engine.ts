/**
 * The engine slot. An engine turns a program into something that runs over the VM's address
 * space and helpers; the interpreter is one, and `@ebpf/jit` supplies another (it depends on this
 * package, never the other way round). Both see the same memory, the same region table, the same
 * helpers, and throw the same `VmError`s, so a VM can run one program either way.
 */
import type { AddressSpace } from './address-space.js';
import type { HelperTable } from './helpers.js';

/** What an engine runs against: the VM's address space and helper table. */
export interface EngineEnvironment {
  readonly space: AddressSpace;
  readonly helpers: HelperTable;
}

/**
 * One run. On entry r1-r5 hold `args` (missing ones 0), r10 holds `STACK_TOP_ADDRESS`, every other
 * register is 0; the VM has laid out the per-run regions and zeroed the stack (after a tail call
 * the stack keeps its bytes).
 *
 * Engines must, besides executing the ISA: (1) on a load or store that fails the region table's
 * bounds check, call `space.slowLoad` / `space.slowStore` (the program context is served there)
 * and continue with its result instead of faulting directly; (2) after every helper call, when
 * `helpers.tailCallPending` is set, stop and return `{ tailCall: true, insnCount }` (at call
 * depth > 0, throw `VM_UNSUPPORTED` instead).
 */
export interface EngineRunRequest {
  /** r1-r5, as unsigned 64-bit values. */
  readonly args: readonly bigint[];
  /** The most instructions the run may execute (`Infinity` for no limit). */
  readonly budget: number;
}

/** What a finished run gives back. */
export interface EngineRunResult {
  /** r0 at `exit`, as an unsigned 64-bit value. */
  readonly r0: bigint;
  /** Instructions executed, `lddw` counted once, the final `exit` included. */
  readonly insnCount: number;
  /**
   * True when the run stopped because a helper requested a tail call (`HelperTable.
   * tailCallPending` was set after a helper call): `r0` is then meaningless and `insnCount`
   * includes the helper call. The VM starts the target program.
   */
  readonly tailCall?: boolean;
}

/**
 * What an engine does beyond the ISA (see {@link EngineRunRequest}): `'slow-regions'` (its fault
 * path asks `space.slowLoad`/`slowStore`, so program contexts work) and `'tail-calls'` (it stops
 * after a helper that requested a tail call). The VM refuses, with `VM_UNSUPPORTED`, to run a
 * context layout or to take a tail call on an engine that does not list the feature.
 */
export type EngineFeature = 'slow-regions' | 'tail-calls';

/** A program an engine has prepared: run it as often as you like. */
export interface CompiledProgram {
  /** The engine's name. */
  readonly engine: string;
  /** The features it supports (none when absent). */
  readonly features?: readonly EngineFeature[];
  /** Runs the program once. @throws VmError on a fault or when the budget runs out. */
  run(request: EngineRunRequest): EngineRunResult;
}

/**
 * An execution engine. `compile` is called once per loaded program (after verification).
 *
 * @example
 * const myEngine: ExecutionEngine = {
 *   name: 'mine',
 *   compile(bytes, env) { return { engine: 'mine', run: (req) => ({ r0: 0n, insnCount: 1 }) }; },
 * };
 * new EbpfVmRaw(program, { jit: myEngine }).executeProgramJit(packet);
 */
export interface ExecutionEngine {
  readonly name: string;
  /** Prepares `bytes` (a whole number of 8-byte slots, already verified) to run in `env`. */
  compile(bytes: Uint8Array, env: EngineEnvironment): CompiledProgram;
}

/** Which engine a VM runs with: its interpreter, or the JIT it was given. */
export type EngineKind = 'interp' | 'jit';
