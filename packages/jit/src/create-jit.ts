/**
 * The JIT as the VM's {@link ExecutionEngine}: `compile` lowers a program to WebAssembly once per
 * metering mode it is run with (a budget, or none) and instantiates the module over the VM's own
 * memory; `run` calls it and turns its traps into the interpreter's `VmError`s.
 */
import { MAX_CALL_DEPTH } from '@ebpf/isa';
import {
  type CompiledProgram,
  type EngineEnvironment,
  type EngineFeature,
  type EngineRunRequest,
  type EngineRunResult,
  type ExecutionEngine,
  engineImports,
  VM_BAD_JUMP,
  VM_BAD_REGISTER,
  VM_BUDGET_EXHAUSTED,
  VM_CALL_DEPTH,
  VM_UNKNOWN_OPCODE,
  VM_UNRESOLVED_LDDW,
  VM_UNSUPPORTED,
  VmError,
} from '@ebpf/vm';
import { type CompiledModule, compile } from './compile.js';
import type { Metering } from './emit-function.js';
import { JIT_MODULE_REJECTED, JitError } from './jit-errors.js';
import { slotsAt } from './program-model.js';
import { TrapKind } from './trap-kinds.js';

/** The little of the WebAssembly JS API used here (the core packages compile without DOM types). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  RuntimeError: new () => Error;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface Exports {
  warm(): void;
  run(r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint): bigint;
  budget: { value: bigint };
  trapKind: { value: number };
  trapPc: { value: number };
  trapA: { value: number };
  trapB: { value: number };
  trapC: { value: number };
}

/** Budgets above this are treated as none (they cannot run out in practice). */
const UNLIMITED = 2 ** 53;

/**
 * How long to keep calling the warm-up entry after instantiating, in ms. The first call uses up
 * the functions' tier-up budget; the later ones give V8's background compiler time to install
 * the optimised code before the first real run (there is no way to ask whether it has).
 */
const WARM_UP_MS = 3;
/** At most this many warm-up calls (each spins about 0.1 ms in optimised code). */
const WARM_UP_MAX_CALLS = 64;
const clock = (globalThis as unknown as { performance?: { now(): number } }).performance;

/** What the JIT does beyond the ISA (see `EngineFeature` in `@ebpf/vm`). */
const FEATURES: readonly EngineFeature[] = Object.freeze(['slow-regions', 'tail-calls']);

/** One compiled variant: a metering mode, with or without the slow-region calls. */
type Variant = `${Metering}${'' | '+slow'}`;

/**
 * A compiled program: the WebAssembly module and its instance over one VM's memory and helpers,
 * one per variant (metering mode, and whether the address space has slow regions).
 */
export class JitProgram implements CompiledProgram {
  readonly engine = 'jit';
  readonly features = FEATURES;
  readonly #bytes: Uint8Array;
  readonly #env: EngineEnvironment;
  readonly #instances = new Map<Variant, Exports>();
  readonly #modules = new Map<Variant, CompiledModule>();
  /** The budget of the current run, for the error's context. */
  #budget = 0;
  #limit = 0;

  readonly #warmUp: WarmUp;

  /**
   * Compiles and instantiates the program for runs without a budget (the VM's default) at once,
   * so `vm.jitCompile()` does the work and reports a module the engine refuses; the budget-checking
   * variant is made on the first run with a budget.
   */
  constructor(bytes: Uint8Array, env: EngineEnvironment, warmUp: WarmUp = 'loops') {
    this.#bytes = bytes.slice();
    this.#env = env;
    this.#warmUp = warmUp;
    if (this.#bytes.byteLength >= 8) this.#instance('count');
  }

  /**
   * The compiled module of a metering mode, with or without slow-region calls (compiling it on
   * first use).
   */
  compiled(metering: Metering, slowRegions = false): CompiledModule {
    const variant: Variant = slowRegions ? `${metering}+slow` : metering;
    let m = this.#modules.get(variant);
    if (!m) {
      m = compile(this.#bytes, { metering, slowRegions });
      this.#modules.set(variant, m);
    }
    return m;
  }

  #instance(metering: Metering, slowRegions = false): Exports {
    const variant: Variant = slowRegions ? `${metering}+slow` : metering;
    let inst = this.#instances.get(variant);
    if (inst) return inst;
    const compiled = this.compiled(metering, slowRegions);
    const env = this.#env;
    const helpers = env.helpers;
    const asU = (v: bigint) => BigInt.asUintN(64, v);
    const imports = {
      env: {
        ...engineImports(env),
        memory: env.space.memory,
        helper: (
          id: number,
          pc: number,
          r1: bigint,
          r2: bigint,
          r3: bigint,
          r4: bigint,
          r5: bigint,
        ) => helpers.call(id >>> 0, pc, asU(r1), asU(r2), asU(r3), asU(r4), asU(r5)),
        helperx: (
          lo: number,
          hi: number,
          pc: number,
          r1: bigint,
          r2: bigint,
          r3: bigint,
          r4: bigint,
          r5: bigint,
        ) =>
          helpers.call(
            (lo >>> 0) + (hi >>> 0) * 4294967296,
            pc,
            asU(r1),
            asU(r2),
            asU(r3),
            asU(r4),
            asU(r5),
          ),
      },
    };
    let module: object;
    try {
      module = new wasm.Module(compiled.bytes);
    } catch (e) {
      throw new JitError(
        JIT_MODULE_REJECTED,
        {
          bytes: compiled.bytes.length,
          slots: compiled.model.length,
          reason: e instanceof Error ? e.message : String(e),
        },
        e,
      );
    }
    const instance = new wasm.Instance(module, imports);
    inst = instance.exports as unknown as Exports;
    this.#instances.set(variant, inst);
    if (this.#warmUp === 'always' || (this.#warmUp === 'loops' && compiled.hasLoops)) {
      // V8 runs a function's first calls in its baseline tier and swaps in optimised code only
      // for later calls (no on-stack replacement). A few calls of the warm-up entry make every
      // function hot first, so that even the first real run is optimised.
      const start = clock?.now() ?? 0;
      for (let i = 0; i < WARM_UP_MAX_CALLS; i++) {
        inst.warm();
        if (clock === undefined ? i >= 8 : clock.now() - start >= WARM_UP_MS) break;
      }
    }
    return inst;
  }

  #trapError(
    compiled: CompiledModule,
    kind: number,
    pc: number,
    a: number,
    b: number,
    c: number,
  ): Error {
    const model = compiled.model;
    const space = this.#env.space;
    switch (kind) {
      case TrapKind.UNKNOWN_OPCODE:
        return new VmError(VM_UNKNOWN_OPCODE, { opcode: model.opcode[pc] }, pc);
      case TrapKind.BAD_REGISTER:
        return new VmError(VM_BAD_REGISTER, { register: a }, pc);
      case TrapKind.BAD_TARGET:
        return new VmError(VM_BAD_JUMP, { target: a, reason: 'outside' }, pc);
      case TrapKind.UNRESOLVED_LDDW:
        return new VmError(VM_UNRESOLVED_LDDW, { src: a }, pc);
      case TrapKind.UNSUPPORTED:
        return new VmError(VM_UNSUPPORTED, { form: 'call by BTF id' }, pc);
      case TrapKind.CALL_DEPTH:
        return new VmError(VM_CALL_DEPTH, { depth: a, max: MAX_CALL_DEPTH }, pc);
      case TrapKind.FELL_OFF:
        return new VmError(VM_BAD_JUMP, { target: pc, reason: 'fell-off' }, pc);
      case TrapKind.LDDW_TAIL:
        return new VmError(VM_BAD_JUMP, { target: pc, reason: 'lddw-tail' }, pc);
      case TrapKind.MISALIGNED:
        return space.misalignedAtomic(b, a, c, pc);
      case TrapKind.BUDGET: {
        let at = pc;
        for (let i = 0; i < a; i++) at += slotsAt(model, at);
        return new VmError(
          VM_BUDGET_EXHAUSTED,
          { budget: this.#budget, insnCount: this.#limit },
          at,
        );
      }
      case TrapKind.TAIL_CALL_IN_FUNCTION:
        return new VmError(VM_UNSUPPORTED, { form: 'tail call from inside a local function' }, pc);
      case TrapKind.LOAD_FAULT:
        return space.accessViolation(b, a, c, 'load', pc);
      default:
        return space.accessViolation(b, a, c, 'store', pc);
    }
  }

  /** Runs the program once (see `EngineRunRequest`). @throws VmError as the interpreter does. */
  run(request: EngineRunRequest): EngineRunResult {
    const budget = request.budget;
    const unlimited = !(budget < UNLIMITED);
    const limit = unlimited ? 0 : Math.max(0, Math.ceil(budget));
    this.#budget = budget;
    this.#limit = limit;
    if (this.#bytes.byteLength < 8) {
      // No instruction at all: the interpreter counts the slot past the end, then faults there.
      if (!unlimited && limit < 1) {
        throw new VmError(VM_BUDGET_EXHAUSTED, { budget, insnCount: 0 }, 0);
      }
      throw new VmError(VM_BAD_JUMP, { target: 0, reason: 'fell-off' }, 0);
    }
    const metering: Metering = unlimited ? 'count' : 'budget';
    const slowRegions = hasSlowRegions(this.#env);
    const inst = this.#instance(metering, slowRegions);
    const args = request.args;
    inst.budget.value = BigInt(limit);
    let r0: bigint;
    let tailCall = false;
    try {
      r0 = inst.run(args[0] ?? 0n, args[1] ?? 0n, args[2] ?? 0n, args[3] ?? 0n, args[4] ?? 0n);
    } catch (e) {
      const kind = inst.trapKind.value;
      if (!(e instanceof wasm.RuntimeError) || kind < 0) throw e;
      inst.trapKind.value = -1;
      if (kind === TrapKind.TAIL_CALL) tailCall = true;
      else if (kind !== TrapKind.HALT) {
        const compiled = this.compiled(metering, slowRegions);
        throw this.#trapError(
          compiled,
          kind,
          inst.trapPc.value,
          inst.trapA.value,
          inst.trapB.value,
          inst.trapC.value,
        );
      }
      r0 = 0n;
    }
    const used = limit - Number(inst.budget.value);
    if (tailCall) return { r0: 0n, insnCount: used, tailCall: true };
    return { r0: BigInt.asUintN(64, r0), insnCount: used };
  }
}

/** Whether some region of `env`'s address space is served by host code (a program context). */
function hasSlowRegions(env: EngineEnvironment): boolean {
  const space = env.space;
  for (let i = 1, n = space.regionCount; i < n; i++) {
    if (space.slowRegion(i) !== undefined) return true;
  }
  return false;
}

/** When to warm compiled code up: for programs with a loop (default), always, or never. */
export type WarmUp = 'loops' | 'always' | 'never';

/** Options of {@link createJit}. */
export interface JitOptions {
  /**
   * Whether to call each new instance's warm-up entry for about 3 ms so that V8 has optimised
   * code ready for the first real run. Default `'loops'`: only for programs with a
   * loop, the ones that can run long.
   */
  readonly warmUp?: WarmUp;
}

/**
 * The JIT engine, to hand to a VM (`new EbpfVmRaw(prog, { jit: createJit() })`, `vm.setJit`).
 *
 * @example
 * const vm = new EbpfVmRaw(program, { jit: createJit(), engine: 'jit' });
 * vm.run({ mem: packet }).r0;
 */
export function createJit(options: JitOptions = {}): ExecutionEngine {
  const warmUp = options.warmUp ?? 'loops';
  return Object.freeze<ExecutionEngine>({
    name: 'jit',
    compile: (bytes, env) => new JitProgram(bytes, env, warmUp),
  });
}
