/**
 * The VM: one core ({@link EbpfVm}) with an input-layout strategy, and rbpf's four kinds as thin
 * subclasses that only pick a layout and the shape of `executeProgram`'s arguments.
 */
import {
  type ConformanceGroup,
  type CpuVersion,
  isEbpfError,
  MAX_CALL_DEPTH,
  MAX_TAIL_CALLS,
  slotCount,
} from '@ebpf/isa';
import {
  type HelperPrototype,
  type HostDeclaration,
  structural,
  type Verifier,
  verifyOrThrow,
} from '@ebpf/verifier';
import { AddressSpace, REGION_INPUT, REGION_MBUFF } from './address-space.js';
import type {
  CompiledProgram,
  EngineFeature,
  EngineKind,
  EngineRunResult,
  ExecutionEngine,
} from './engine.js';
import { type Helper, HelperTable } from './helpers.js';
import {
  fixedMbuffLayout,
  type InputLayout,
  mbuffLayout,
  noDataLayout,
  type RunInput,
  rawLayout,
} from './input-layout.js';
import { interpreter } from './interpreter-engine.js';
import {
  ContextErrno,
  type ContextType,
  isContextType,
  type ProgramContext,
} from './program-context.js';
import { type LddwResolver, resolveLddwReferences } from './resolve-lddw.js';
import { skbLayout } from './skb-context.js';
import {
  VM_BAD_ARGUMENT,
  VM_BUDGET_EXHAUSTED,
  VM_NO_JIT,
  VM_NO_PROGRAM,
  VM_UNSUPPORTED,
  VmError,
} from './vm-errors.js';
import { type XdpLayoutOptions, xdpLayout } from './xdp-context.js';

/** Options every VM kind takes. */
export interface VmOptions {
  /** The verifier run on every program loaded (default `structural`; `noVerifier` turns it off). */
  readonly verifier?: Verifier;
  /** A JIT engine (from `@ebpf/jit`), for `jitCompile`, `executeProgramJit` and `engine: 'jit'`. */
  readonly jit?: ExecutionEngine;
  /** Which engine `executeProgram` and `run` use (default `'interp'`). */
  readonly engine?: EngineKind;
  /** Default instruction budget of every run (default: none). */
  readonly budget?: number;
  /** Newest CPU version the verifier allows (default v4). */
  readonly cpu?: CpuVersion;
  /** Conformance groups the verifier allows (default: base64, atomic64, divmul64). */
  readonly groups?: readonly ConformanceGroup[];
}

/** Options of one run. */
export interface RunOptions {
  /** Most instructions this run may execute (default: the VM's budget, else none). */
  readonly budget?: number;
  /**
   * Values for r1-r5 (index 0 is r1); `undefined` entries keep the default (r1 from the layout,
   * r2-r5 zero). Numbers must be safe integers; all values are taken modulo 2^64.
   */
  readonly args?: readonly (bigint | number | undefined)[];
  /** The engine for this run (default: the VM's). */
  readonly engine?: EngineKind;
  /** The program to run (a handle from `loadProgram`/`setProgram`; default the main program). */
  readonly program?: ProgramHandle;
}

/** What one run gives back. */
export interface RunResult {
  /** r0 at `exit`, as an unsigned 64-bit value. */
  readonly r0: bigint;
  /** Instructions executed, over every program of a tail-call chain. */
  readonly insnCount: number;
  /** Context layouts: the packet after the run (head/tail adjustments change its length). */
  readonly packet?: Uint8Array;
  /** Context layouts: the run's context, to read fields the program wrote (`field('mark')`). */
  readonly context?: ProgramContext;
  /** Tail calls the run made. */
  readonly tailCalls?: number;
}

/** How a program is loaded into a VM. */
export interface LoadOptions {
  /** A name for tools and messages (default `prog<N>`). */
  readonly name?: string;
  /** The loader hook for `lddw` subtypes 1-6 (map and data references). */
  readonly resolveLddw?: LddwResolver;
  /** The program's input layout (a context type or a layout); default the VM's own. */
  readonly layout?: InputLayout | ContextType;
  /** The maps its `lddw`s name, declared to the verifier (`HostDeclaration.maps`). */
  readonly maps?: HostDeclaration['maps'];
}

/**
 * A program a VM holds. Program-array maps store these; `bpf_tail_call` jumps to them; `run`
 * takes one as `program`.
 */
export interface ProgramHandle {
  /** Its number in the VM (0, 1, ... in load order). */
  readonly id: number;
  readonly name: string;
  /** The bytes as they run: a copy of what was loaded, `lddw` references resolved. */
  readonly bytes: Uint8Array;
  /** How its input reaches r1; a tail call only goes to a program with the same layout. */
  readonly layout: InputLayout;
}

interface ProgramSlot {
  readonly handle: ProgramHandle;
  readonly maps: HostDeclaration['maps'];
  /** The bytes as loaded (before resolution), for re-verification. */
  readonly loaded: Uint8Array;
  interp: CompiledProgram | undefined;
  jitted: CompiledProgram | undefined;
}

/**
 * The layout of a context type.
 *
 * @example
 * contextLayout('xdp', { tailroom: 512 }).name; // 'xdp'
 */
export function contextLayout(type: ContextType, options: XdpLayoutOptions = {}): InputLayout {
  return type === 'xdp' ? xdpLayout(options) : skbLayout(type);
}

function toU64(v: bigint | number, what: string): bigint {
  if (typeof v === 'number' && !Number.isSafeInteger(v)) {
    throw new VmError(VM_BAD_ARGUMENT, { argument: what, problem: `${v} is not a safe integer` });
  }
  return BigInt.asUintN(64, BigInt(v));
}

function checkBudget(budget: number | undefined): number {
  if (budget === undefined) return Number.POSITIVE_INFINITY;
  if (!(Number.isInteger(budget) || budget === Number.POSITIVE_INFINITY) || budget < 0) {
    throw new VmError(VM_BAD_ARGUMENT, { argument: 'budget', problem: `${budget}` });
  }
  return budget;
}

/**
 * The VM core. Use one of rbpf's four kinds ({@link EbpfVmMbuff}, {@link EbpfVmFixedMbuff},
 * {@link EbpfVmRaw}, {@link EbpfVmNoData}) or a kernel program type ({@link EbpfVmXdp},
 * {@link EbpfVmSocketFilter}, {@link EbpfVmTc}); `A` is the argument list of `executeProgram`.
 * One VM holds any number of programs (`loadProgram`) in one address space, each with its own
 * layout, so that they share maps and data and can tail-call each other.
 */
export class EbpfVm<A extends unknown[] = [RunInput?]> {
  /** The address space: regions in one `WebAssembly.Memory`. */
  readonly space: AddressSpace = new AddressSpace();
  /** Helpers by id. */
  readonly helpers: HelperTable = new HelperTable(this.space);
  /** How a run's input reaches r1. */
  readonly layout: InputLayout;
  /** Instructions executed by the last `executeProgram`/`executeProgramJit`/`run`. */
  lastInsnCount = 0;
  readonly #toInput: (...args: A) => RunInput;
  readonly #slots = new Map<ProgramHandle, ProgramSlot>();
  #main: ProgramSlot | undefined;
  #nextId = 0;
  #verifier: Verifier;
  #jit: ExecutionEngine | undefined;
  #engine: EngineKind;
  #budget: number;
  #cpu: CpuVersion | undefined;
  #groups: readonly ConformanceGroup[] | undefined;

  constructor(
    layout: InputLayout,
    toInput: (...args: A) => RunInput,
    program?: Uint8Array,
    options: VmOptions = {},
  ) {
    this.layout = layout;
    this.#toInput = toInput;
    this.#verifier = options.verifier ?? structural;
    this.#jit = options.jit;
    this.#engine = options.engine ?? 'interp';
    this.#budget = checkBudget(options.budget);
    this.#cpu = options.cpu;
    this.#groups = options.groups;
    if (program !== undefined) this.setProgram(program);
  }

  /** The main program's bytes (a copy taken at `setProgram`, `lddw` references resolved). */
  get program(): Uint8Array | undefined {
    return this.#main?.handle.bytes;
  }

  /** The main program's handle (what `setProgram` loaded last). */
  get mainProgram(): ProgramHandle | undefined {
    return this.#main?.handle;
  }

  /** Every program the VM holds, in load order. */
  get programs(): ProgramHandle[] {
    return [...this.#slots.keys()];
  }

  /** The verifier in use. */
  get verifier(): Verifier {
    return this.#verifier;
  }

  /** What the host declares to the verifier: CPU, groups, context, budget, registered helpers. */
  hostDeclaration(
    layout: InputLayout = this.layout,
    maps?: HostDeclaration['maps'],
  ): HostDeclaration {
    const helpers = this.helpers.prototypes();
    return {
      ...(this.#cpu ? { cpu: this.#cpu } : {}),
      ...(this.#groups ? { groups: this.#groups } : {}),
      ...(helpers.size > 0 ? { helpers } : {}),
      ...(layout.context ? { context: layout.context } : {}),
      ...(maps ? { maps } : {}),
      ...(Number.isFinite(this.#budget) ? { budget: this.#budget } : {}),
      maxCallDepth: MAX_CALL_DEPTH,
    };
  }

  /**
   * Loads a program (a copy of `bytes`) as the main program, replacing the previous main program,
   * and verifies it. Helpers registered so far are declared to the verifier; when none are,
   * helper ids are left for the run to check. `options.resolveLddw` resolves map and data
   * references (after verification, as the kernel rewrites them after its verifier).
   *
   * @throws DecodeError when the length is not a multiple of 8; VerifyError when refused.
   */
  setProgram(bytes: Uint8Array, options: LoadOptions = {}): ProgramHandle {
    const slot = this.#load(bytes, options);
    if (this.#main) this.#slots.delete(this.#main.handle);
    this.#main = slot;
    this.#slots.set(slot.handle, slot);
    return slot.handle;
  }

  /**
   * Loads another program into the VM without changing the main one: a tail-call target (put its
   * handle in a program-array map) or a program to `run({...}, { program })`.
   *
   * @example
   * const parser = vm.loadProgram(parserBytes, { name: 'parse', layout: 'xdp' });
   * jumps.set(0, parser);
   */
  loadProgram(bytes: Uint8Array, options: LoadOptions = {}): ProgramHandle {
    const slot = this.#load(bytes, options);
    this.#slots.set(slot.handle, slot);
    return slot.handle;
  }

  /** Removes a program loaded with `loadProgram` (tail calls to it then fail). */
  unloadProgram(handle: ProgramHandle): boolean {
    if (this.#main?.handle === handle) this.#main = undefined;
    return this.#slots.delete(handle);
  }

  #load(bytes: Uint8Array, options: LoadOptions): ProgramSlot {
    slotCount(bytes);
    const given = options.layout;
    if (typeof given === 'string' && !isContextType(given)) {
      throw new VmError(VM_BAD_ARGUMENT, {
        argument: 'layout',
        problem: `'${given}' is not xdp, socket_filter or sched_cls`,
      });
    }
    const layout =
      given === undefined ? this.layout : typeof given === 'string' ? contextLayout(given) : given;
    const loaded = new Uint8Array(bytes);
    verifyOrThrow(this.#verifier, {
      bytes: loaded,
      host: this.hostDeclaration(layout, options.maps),
    });
    const resolved = options.resolveLddw
      ? resolveLddwReferences(loaded, options.resolveLddw)
      : loaded;
    const id = this.#nextId++;
    const handle: ProgramHandle = Object.freeze({
      id,
      name: options.name ?? `prog${id}`,
      bytes: resolved,
      layout,
    });
    return { handle, maps: options.maps, loaded, interp: undefined, jitted: undefined };
  }

  /** Replaces the verifier and re-verifies every loaded program with it. */
  setVerifier(verifier: Verifier): void {
    for (const slot of this.#slots.values()) {
      verifyOrThrow(verifier, {
        bytes: slot.loaded,
        host: this.hostDeclaration(slot.handle.layout, slot.maps),
      });
    }
    this.#verifier = verifier;
  }

  /** The JIT engine the VM was given, if any. */
  get jitEngine(): ExecutionEngine | undefined {
    return this.#jit;
  }

  /** Supplies (or replaces) the JIT engine. */
  setJit(engine: ExecutionEngine): void {
    this.#jit = engine;
    for (const slot of this.#slots.values()) slot.jitted = undefined;
  }

  /** Chooses the engine `executeProgram` and `run` use by default. */
  setEngine(engine: EngineKind): void {
    this.#engine = engine;
  }

  /** Sets the default instruction budget (`undefined` for none). */
  setBudget(budget: number | undefined): void {
    this.#budget = checkBudget(budget);
  }

  /**
   * Registers helper `id`: a function of r1-r5 (bigints) and a context, returning r0.
   *
   * @example
   * vm.registerHelper(6, (r1, r2) => r1 + r2);
   */
  registerHelper(id: number, fn: Helper, prototype?: HelperPrototype): void {
    this.helpers.register(id, fn, prototype);
    for (const slot of this.#slots.values()) slot.jitted = undefined;
  }

  /**
   * Maps host memory into the program's address space: a new region holding a copy of `data` (or
   * `data` zero bytes). Returns the region's first virtual address; `regionBytes(index)` gives a
   * live view, where the program's writes show.
   *
   * @example
   * const table = vm.registerAllowedMemory(new Uint8Array([1, 2, 3]), { name: 'table', writable: false });
   * vm.executeProgram(packet); // the program may read [table, table + 3)
   */
  registerAllowedMemory(
    data: Uint8Array | number,
    options: { readonly name?: string; readonly writable?: boolean } = {},
  ): bigint {
    const length = typeof data === 'number' ? data : data.length;
    const index = this.space.addRegion(
      options.name ?? `host${this.space.regionCount}`,
      length,
      options,
    );
    if (typeof data !== 'number') this.space.regionBytes(index).set(data);
    return this.space.region(index)!.address;
  }

  /** A live view of region `index` (valid until the memory next grows). */
  regionBytes(index: number): Uint8Array {
    return this.space.regionBytes(index);
  }

  /**
   * A view of the input region sized `length`, to fill in place: pass it back as the input
   * (`executeProgram(view)`) and the run copies nothing in or out.
   */
  inputBuffer(length: number): Uint8Array {
    // Keep the metadata length of the last run, so the input region stays where it is.
    this.space.layoutRun(length, this.space.region(REGION_MBUFF)!.length);
    return this.space.regionBytes(REGION_INPUT);
  }

  #slot(handle: ProgramHandle | undefined): ProgramSlot {
    if (handle === undefined) {
      if (!this.#main) throw new VmError(VM_NO_PROGRAM, {});
      return this.#main;
    }
    const slot = this.#slots.get(handle);
    if (!slot) {
      throw new VmError(VM_BAD_ARGUMENT, {
        argument: 'program',
        problem: `'${handle.name}' is not loaded in this VM`,
      });
    }
    return slot;
  }

  #compiled(slot: ProgramSlot, kind: EngineKind): CompiledProgram {
    const env = { space: this.space, helpers: this.helpers };
    if (kind === 'interp') {
      slot.interp ??= interpreter.compile(slot.handle.bytes, env);
      return slot.interp;
    }
    if (!this.#jit) throw new VmError(VM_NO_JIT, {});
    slot.jitted ??= this.#jit.compile(slot.handle.bytes, env);
    return slot.jitted;
  }

  /** Compiles the loaded programs with the JIT engine (rbpf's `jit_compile`). */
  jitCompile(): void {
    if (this.#slots.size === 0) throw new VmError(VM_NO_PROGRAM, {});
    for (const slot of this.#slots.values()) this.#compiled(slot, 'jit');
  }

  /**
   * Runs the program once: `input` laid out by the program's layout, r1 from the layout unless
   * `args` says otherwise. Tail calls a helper requests (`HelperContext.tailCall`) replace the
   * running program (r1 = the context, the stack kept, at most `MAX_TAIL_CALLS` in a chain); the
   * budget and the instruction count span the whole chain.
   *
   * @example
   * const { r0, insnCount } = vm.run({ mem: packet }, { budget: 1_000_000, args: [undefined, packet.length] });
   */
  run(input: RunInput = {}, options: RunOptions = {}): RunResult {
    let slot = this.#slot(options.program);
    const kind = options.engine ?? this.#engine;
    let program = this.#compiled(slot, kind);
    const budget = options.budget === undefined ? this.#budget : checkBudget(options.budget);
    const layout = slot.handle.layout;
    const supports = (f: EngineFeature) => program.features?.includes(f) === true;
    if (layout.context !== undefined && isContextType(layout.name) && !supports('slow-regions')) {
      throw new VmError(VM_UNSUPPORTED, {
        form: `the ${layout.name} program context on the ${program.engine} engine`,
      });
    }
    const entered = layout.enter(this.space, input);
    let args: bigint[] = [entered.r1, 0n, 0n, 0n, 0n];
    const given = options.args ?? [];
    for (let i = 0; i < 5 && i < given.length; i++) {
      const v = given[i];
      if (v !== undefined) args[i] = toU64(v, `r${i + 1}`);
    }
    let tailCalls = 0;
    let pending: { slot: ProgramSlot; r1: bigint } | undefined;
    this.helpers.hooks = {
      programContext: entered.context,
      get tailCallCount() {
        return tailCalls;
      },
      tailCall: (target, r1, pc) => {
        const next = this.#slots.get(target as ProgramHandle);
        if (!supports('tail-calls')) {
          throw new VmError(
            VM_UNSUPPORTED,
            { form: `tail calls on the ${program.engine} engine` },
            pc,
          );
        }
        if (!next || next.handle.layout.name !== layout.name) return -ContextErrno.EINVAL;
        if (tailCalls >= MAX_TAIL_CALLS) return -ContextErrno.E2BIG;
        pending = { slot: next, r1 };
        return 0;
      },
    };
    this.helpers.tailCallPending = false;
    this.space.running = true;
    let total = 0;
    let r0: bigint;
    let packet: Uint8Array | undefined;
    try {
      for (;;) {
        let result: EngineRunResult;
        try {
          result = program.run({ args, budget: budget - total });
        } catch (e) {
          if (total > 0 && isEbpfError(e, VM_BUDGET_EXHAUSTED)) {
            throw new VmError(
              VM_BUDGET_EXHAUSTED,
              { budget, insnCount: total + e.context.insnCount },
              e.pc,
            );
          }
          throw e;
        }
        total += result.insnCount;
        this.helpers.tailCallPending = false;
        if (!result.tailCall) {
          r0 = result.r0;
          break;
        }
        const next: { slot: ProgramSlot; r1: bigint } | undefined = pending;
        if (next === undefined) {
          throw new VmError(VM_UNSUPPORTED, {
            form: `a tail-call stop of the ${program.engine} engine without a tail call`,
          });
        }
        pending = undefined;
        tailCalls++;
        slot = next.slot;
        program = this.#compiled(slot, kind);
        args = [next.r1, 0n, 0n, 0n, 0n];
      }
      this.lastInsnCount = total;
    } finally {
      this.space.running = false;
      this.helpers.hooks = undefined;
      this.helpers.tailCallPending = false;
      packet = entered.leave();
    }
    return {
      r0,
      insnCount: total,
      ...(packet ? { packet } : {}),
      ...(entered.context ? { context: entered.context } : {}),
      ...(tailCalls > 0 ? { tailCalls } : {}),
    };
  }

  /** Runs with the VM's engine and returns r0 (the instruction count is in `lastInsnCount`). */
  executeProgram(...args: A): bigint {
    return this.run(this.#toInput(...args)).r0;
  }

  /** Runs with the JIT engine and returns r0 (rbpf's `execute_program_jit`). */
  executeProgramJit(...args: A): bigint {
    return this.run(this.#toInput(...args), { engine: 'jit' }).r0;
  }
}

/**
 * An XDP program: r1 points to a `struct xdp_md`; the packet has 256 bytes of headroom and some
 * tailroom for `bpf_xdp_adjust_head`/`_tail`/`_meta`. `executeProgram` returns the verdict
 * ({@link XdpAction}); `run` also gives the packet after the run.
 *
 * @example
 * const vm = new EbpfVmXdp(program);
 * vm.executeProgram(frame, { ingress_ifindex: 2 }); // 2n: XDP_PASS
 */
export class EbpfVmXdp extends EbpfVm<[packet: Uint8Array, ctx?: RunInput['ctx']]> {
  constructor(program?: Uint8Array, options?: VmOptions & XdpLayoutOptions) {
    super(xdpLayout(options), (mem, ctx) => ({ mem, ctx }), program, options);
  }
}

/**
 * A socket filter: r1 points to a `struct __sk_buff`; `executeProgram` returns the bytes of the
 * packet to keep (0 drops it).
 *
 * @example
 * new EbpfVmSocketFilter(program).executeProgram(frame); // e.g. 0xffffffffn: keep it all
 */
export class EbpfVmSocketFilter extends EbpfVm<[packet: Uint8Array, ctx?: RunInput['ctx']]> {
  constructor(program?: Uint8Array, options?: VmOptions) {
    super(skbLayout('socket_filter'), (mem, ctx) => ({ mem, ctx }), program, options);
  }
}

/**
 * A tc classifier or action: r1 points to a `struct __sk_buff` (with `data`/`data_end`);
 * `executeProgram` returns a {@link TcAction} code.
 *
 * @example
 * const vm = new EbpfVmTc(program);
 * const { r0, context } = vm.run({ mem: frame, ctx: { ifindex: 3 } });
 * context?.field('mark');
 */
export class EbpfVmTc extends EbpfVm<[packet: Uint8Array, ctx?: RunInput['ctx']]> {
  constructor(program?: Uint8Array, options?: VmOptions) {
    super(skbLayout('sched_cls'), (mem, ctx) => ({ mem, ctx }), program, options);
  }
}

/**
 * r1 points to a metadata buffer the caller fills, usually with the packet's start and end
 * (`INPUT_ADDRESS`, `INPUT_ADDRESS + mem.length`).
 *
 * @example
 * const vm = new EbpfVmMbuff(program);
 * const mbuff = new Uint8Array(16);
 * new DataView(mbuff.buffer).setBigUint64(0, INPUT_ADDRESS, true);
 * new DataView(mbuff.buffer).setBigUint64(8, INPUT_ADDRESS + BigInt(packet.length), true);
 * vm.executeProgram(packet, mbuff);
 */
export class EbpfVmMbuff extends EbpfVm<[mem: Uint8Array, mbuff: Uint8Array]> {
  constructor(program?: Uint8Array, options?: VmOptions) {
    super(mbuffLayout(), (mem, mbuff) => ({ mem, mbuff }), program, options);
  }
}

/**
 * The VM owns the metadata buffer and writes the packet's start and end at `dataOffset` and
 * `dataEndOffset` before each run.
 *
 * @example
 * const vm = new EbpfVmFixedMbuff(program, 0x40, 0x50);
 * vm.executeProgram(packet);
 */
export class EbpfVmFixedMbuff extends EbpfVm<[mem: Uint8Array]> {
  constructor(
    program: Uint8Array | undefined,
    dataOffset: number,
    dataEndOffset: number,
    options?: VmOptions,
  ) {
    super(fixedMbuffLayout(dataOffset, dataEndOffset), (mem) => ({ mem }), program, options);
  }
}

/**
 * r1 points to the packet itself.
 *
 * @example
 * const vm = new EbpfVmRaw(program);
 * vm.executeProgram(new Uint8Array([0xaa, 0xbb])); // r0 as a bigint
 */
export class EbpfVmRaw extends EbpfVm<[mem?: Uint8Array]> {
  constructor(program?: Uint8Array, options?: VmOptions) {
    super(rawLayout(), (mem) => ({ mem }), program, options);
  }
}

/**
 * No input; r1 is 0.
 *
 * @example
 * new EbpfVmNoData(program).executeProgram();
 */
export class EbpfVmNoData extends EbpfVm<[]> {
  constructor(program?: Uint8Array, options?: VmOptions) {
    super(noDataLayout(), () => ({}), program, options);
  }
}
