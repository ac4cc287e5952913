/**
 * `compile`: eBPF bytes to the bytes of one WebAssembly module.
 *
 * Imports: `env.memory` (the VM's linear memory), `env.helper(id, pc, r1..r5) -> r0`,
 * `env.helperx(idLo, idHi, pc, r1..r5) -> r0` (callx), and the VM's fault and tail-call paths
 * (`engineImports` in `@ebpf/vm`): `env.slowLoad(hi, lo, size, signed, pc) -> i64`,
 * `env.slowStore(hi, lo, size, value, pc)`, `env.tailCallPending() -> i32`. Exports: `run(r1..r5) -> r0`, the
 * mutable i64 global `budget` (instructions left; the instruction count is what `run` took from
 * it) and the trap globals (`trapKind`, `trapPc`, `trapA`, `trapB`, `trapC`), which say why a
 * run stopped with a WebAssembly trap (see `trap-kinds.ts`).
 */
import { writtenOperand } from '@ebpf/isa';
import {
  MAX_REGIONS,
  REGION_ENTRY_SIZE,
  REGION_INPUT,
  REGION_TABLE_OFFSET,
  STACK_TOP_ADDRESS,
} from '@ebpf/vm';
import {
  buildFunctionGraph,
  type FunctionGraph,
  findFunctionEntries,
  findLeaders,
} from './control-flow-graph.js';
import { emitFunction, type Metering, type ModuleLayout } from './emit-function.js';
import { modelProgram, type ProgramModel } from './program-model.js';
import { analyzeGraph, fixIrreducible, isIrreducible } from './structure.js';
import { WasmModuleBuilder } from './wasm-module.js';
import { Op, ValType } from './wasm-opcodes.js';
import { WasmWriter } from './wasm-writer.js';

/** Options of {@link compile}. */
export interface CompileOptions {
  /**
   * `budget`: check the instruction budget (exact stop, as the interpreter); `count`: only count
   * instructions (faster; for runs without a budget). Default `budget`.
   */
  readonly metering?: Metering;
  /**
   * Whether a load or store that misses the region table asks `slowLoad`/`slowStore` (needed
   * when the address space has slow regions, such as a program context) instead of faulting at
   * once. Default false: the two give the same fault when no region is slow.
   */
  readonly slowRegions?: boolean;
}

/** What {@link compile} produces. */
export interface CompiledModule {
  /** The WebAssembly module's bytes. */
  readonly bytes: Uint8Array;
  /** The program as decoded (the run-time side needs it to describe errors). */
  readonly model: ProgramModel;
  readonly metering: Metering;
  /** Whether misses ask the slow-region imports (see {@link CompileOptions}). */
  readonly slowRegions: boolean;
  /** Number of WebAssembly functions lowered from eBPF functions. */
  readonly functions: number;
  /** Dispatchers added for irreducible loops (0 for reducible programs). */
  readonly dispatchers: number;
  /** Whether some function has a loop (a retreating edge), so a run may take long. */
  readonly hasLoops: boolean;
}

/** Export names of the five trap globals, in order. */
export const TRAP_GLOBAL_NAMES = Object.freeze([
  'trapKind',
  'trapPc',
  'trapA',
  'trapB',
  'trapC',
] as const);

const I64 = ValType.i64;
const I32 = ValType.i32;
const REGS = [I64, I64, I64, I64, I64, I64, I64, I64, I64, I64, I64] as const;
const FUNC_TYPE = { params: [...REGS, I32], results: [I64, I64, I64, I64, I64, I64] };

/**
 * Compiles eBPF bytecode (a whole number of 8-byte slots; trailing bytes are ignored) to a
 * WebAssembly module. Never throws on bad programs: what cannot run raises the interpreter's
 * error when reached.
 *
 * @example
 * const { bytes } = compile(program);
 * const module = new WebAssembly.Module(bytes);
 */
export function compile(program: Uint8Array, options: CompileOptions = {}): CompiledModule {
  const metering = options.metering ?? 'budget';
  const slowRegions = options.slowRegions ?? false;
  const model = modelProgram(program);
  const leaders = findLeaders(model);
  const entries = model.length === 0 ? [] : findFunctionEntries(model);
  const m = new WasmModuleBuilder();
  m.importMemory('env', 'memory');
  const helperFn = m.importFunction('env', 'helper', {
    params: [I32, I32, I64, I64, I64, I64, I64],
    results: [I64],
  });
  const helperxFn = m.importFunction('env', 'helperx', {
    params: [I32, I32, I32, I64, I64, I64, I64, I64],
    results: [I64],
  });
  const slowLoadFn = m.importFunction('env', 'slowLoad', {
    params: [I32, I32, I32, I32, I32],
    results: [I64],
  });
  const slowStoreFn = m.importFunction('env', 'slowStore', {
    params: [I32, I32, I32, I64, I32],
    results: [],
  });
  const tailPendingFn = m.importFunction('env', 'tailCallPending', { params: [], results: [I32] });
  const budgetGlobal = m.addGlobal(I64, true, 0);
  m.exportGlobal('budget', budgetGlobal);
  const primaryGlobal = m.addGlobal(I32, true, REGION_INPUT);
  const trapGlobals = m.addGlobal(I32, true, -1);
  for (let i = 1; i < 5; i++) m.addGlobal(I32, true, 0);
  TRAP_GLOBAL_NAMES.forEach((name, i) => {
    m.exportGlobal(name, trapGlobals + i);
  });
  const runFn = m.nextFunctionIndex(0);
  const functionIndex = new Map<number, number>();
  entries.forEach((e, i) => {
    functionIndex.set(e, m.nextFunctionIndex(1 + i));
  });
  let writesR10 = false;
  for (let pc = 0; pc < model.length && !writesR10; pc++) writesR10 = writesFramePointer(model, pc);
  const layout: ModuleLayout = {
    model,
    leaders,
    functionIndex,
    trapGlobals,
    helperFn,
    helperxFn,
    slowLoadFn,
    slowStoreFn,
    tailPendingFn,
    slowRegions,
    primaryGlobal,
    budgetGlobal,
    metering,
    staticStack: !writesR10,
  };
  m.addFunction(
    { params: [I64, I64, I64, I64, I64], results: [I64] },
    [[1, I32]],
    emitRun(functionIndex.get(0), primaryGlobal),
  );
  m.exportFunction('run', runFn);
  const warmFn = m.nextFunctionIndex(entries.length);
  m.exportFunction('warm', warmFn);
  let dispatchers = 0;
  let hasLoops = false;
  for (const entry of entries) {
    const graph: FunctionGraph = buildFunctionGraph(model, leaders, entry);
    let analysis = analyzeGraph(graph.blocks);
    hasLoops ||= graph.blocks.some((b) =>
      b.succ.some((t) => analysis.rpo[t] <= analysis.rpo[b.id]),
    );
    if (isIrreducible(graph.blocks, analysis)) {
      dispatchers += fixIrreducible(graph);
      analysis = analyzeGraph(graph.blocks);
    }
    const f = emitFunction(layout, graph, analysis);
    m.addFunction(FUNC_TYPE, f.locals, f.body);
  }
  m.addFunction({ params: [], results: [] }, [], emitWarm([...functionIndex.values()]));
  return {
    bytes: m.toBytes(),
    model,
    metering,
    slowRegions,
    functions: entries.length,
    dispatchers,
    hasLoops,
  };
}

/** Whether the instruction at `pc` writes r10 (only unverified programs do). */
function writesFramePointer(model: ProgramModel, pc: number): boolean {
  const row = model.rows[pc];
  const operand = row === undefined ? undefined : writtenOperand(row);
  return operand !== undefined && model[operand][pc] === 10;
}

/** `warm()`: calls every eBPF function in warm-up mode (frames = 0), which only spins and returns. */
function emitWarm(functions: readonly number[]): Uint8Array {
  const w = new WasmWriter(64);
  for (const f of functions) {
    for (let r = 0; r <= 10; r++) {
      w.u8(Op.i64_const);
      w.s32(0);
    }
    w.u8(Op.i32_const);
    w.s32(0);
    w.u8(Op.call);
    w.u32(f);
    for (let i = 0; i < 6; i++) w.u8(Op.drop);
  }
  w.u8(Op.end);
  return w.view().slice();
}

/**
 * `run(r1..r5) -> r0`: makes the region r1 points into the primary region (the input when r1
 * points nowhere or into a region of length 0, such as a program context, whose accesses all
 * take the slow path anyway), then calls function 0 with r10 at the top of the stack, one frame in use.
 */
function emitRun(f0: number | undefined, primaryGlobal: number): Uint8Array {
  const w = new WasmWriter(64);
  if (f0 === undefined) {
    // An empty program: the JavaScript side raises the error before calling.
    w.u8(Op.unreachable);
    w.u8(Op.end);
    return w.view().slice();
  }
  const HI = 5;
  w.u8(Op.local_get);
  w.u32(0);
  w.u8(Op.i64_const);
  w.s32(32);
  w.u8(Op.i64_shr_u);
  w.u8(Op.i32_wrap_i64);
  w.u8(Op.local_tee);
  w.u32(HI);
  w.u8(Op.i32_const);
  w.s32(1);
  w.u8(Op.i32_sub);
  w.u8(Op.i32_const);
  w.s32(MAX_REGIONS - 1);
  w.u8(Op.i32_lt_u);
  w.u8x2(Op.if, 0x40);
  // ... unless its table entry's length is 0
  w.u8(Op.local_get);
  w.u32(HI);
  w.u8(Op.i32_const);
  w.s32(REGION_INPUT);
  w.u8(Op.local_get);
  w.u32(HI);
  w.u8(Op.i32_const);
  w.s32(REGION_ENTRY_SIZE);
  w.u8(Op.i32_mul);
  w.u8(Op.i32_load);
  w.u8(0);
  w.u32(REGION_TABLE_OFFSET + 4);
  w.u8(Op.select);
  w.u8(Op.global_set);
  w.u32(primaryGlobal);
  w.u8(Op.else);
  w.u8(Op.i32_const);
  w.s32(REGION_INPUT);
  w.u8(Op.global_set);
  w.u32(primaryGlobal);
  w.u8(Op.end);
  w.u8(Op.i64_const);
  w.s32(0);
  for (let r = 0; r < 5; r++) {
    w.u8(Op.local_get);
    w.u32(r);
  }
  for (let r = 6; r < 10; r++) {
    w.u8(Op.i64_const);
    w.s32(0);
  }
  const top = STACK_TOP_ADDRESS;
  w.u8(Op.i64_const);
  w.s64(Number(top & 0xffff_ffffn), Number(top >> 32n));
  w.u8(Op.i32_const);
  w.s32(1);
  w.u8(Op.call);
  w.u32(f0);
  for (let i = 0; i < 5; i++) w.u8(Op.drop);
  w.u8(Op.end);
  return w.view().slice();
}
