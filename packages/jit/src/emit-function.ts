/**
 * Lowers one eBPF function (see `control-flow-graph.ts`) to the body of one WebAssembly
 * function. Signature of every lowered function:
 *
 *     (r0 … r10: i64, frames: i32) -> (r0 … r5: i64)
 *
 * The callee sees the caller's r0-r9, gets r10 - 512 and its own copy of r6-r10, and hands back
 * r0-r5, exactly as the interpreter's shared register file behaves across a local call.
 *
 * Memory: an access through r10 with a constant offset inside the current frame needs no check
 * (the frame always lies inside the stack region). Every other access predicts its region at
 * compile time: the stack for pointers a block derived from r10, else the "primary" region r1
 * pointed to when the run began (the input or the metadata buffer). The prediction's first
 * address, physical base and per-size limits are read from the region table once per function
 * call, so the check in a loop is one subtraction and one unsigned comparison against values
 * that never change in the loop: `addr - lo < limit` with `limit = length - size + 1` (0 when the
 * region is shorter than the access or, for stores, read-only). A miss is not an error yet: the
 * inline slow path looks the address's region up in the table and either computes the physical
 * address or raises the interpreter's access violation. Within a block, an access inside a range
 * an earlier access through the same unchanged register proved needs no check at all.
 *
 * Slow regions (program contexts): in the `slowRegions` variant, a load or store whose table
 * lookup fails calls the imported `slowLoad`/`slowStore` instead and leaves the access's block
 * with the value (those throw the interpreter's fault when nothing serves the access). That
 * variant proves no ranges (a register used for a slow access must take the slow path again).
 * After every call the primary region's bounds are read again (a helper may move the packet's
 * tail), and after a helper call a requested tail call stops the run (see `afterHelper`).
 *
 * Check hoisting (`bounded-indexes.ts`): accesses through `base + i` with a bounded index are
 * checked once at entry; the function body is emitted twice, without and with their checks.
 *
 * Faults: no call. The reason goes into the module's trap globals and `unreachable` unwinds to
 * the JavaScript side (`create-jit.ts`), which raises the interpreter's `VmError`. V8 then treats
 * fault paths as dead ends and keeps loop values in registers (a call on the slow path that
 * returned into the loop measured 1.5-2x slower on the memory benchmarks).
 *
 * Instruction budget: each basic block is cut into segments that end at instructions that can
 * fault or call out; a segment's instructions are counted at its start, and when the remaining
 * budget does not cover them, the exact instruction where the interpreter would stop is known
 * (nothing in the segment before its last instruction can fault), so the error is the same.
 */
import { MAX_CALL_DEPTH, type OpcodeRow, STACK_FRAME_SIZE } from '@ebpf/isa';
import {
  MAX_REGIONS,
  REGION_ENTRY_SIZE,
  REGION_INPUT,
  REGION_TABLE_OFFSET,
  STACK_BASE,
  STACK_SIZE,
} from '@ebpf/vm';
import { findIndexedAccesses } from './bounded-indexes.js';
import type { Block, FunctionGraph } from './control-flow-graph.js';
import { isValidTarget } from './control-flow-graph.js';
import { convertIfThen, type IfConversion } from './if-conversion.js';
import { lowerAlu, lowerCondition } from './lower-alu.js';
import { type ProgramModel, slotsAt, Trap, targetAt } from './program-model.js';
import { matchRotate, type RotateIdiom } from './rotate-idiom.js';
import { StackPointers } from './stack-pointers.js';
import { analyzeGraph, emitStructured, type GraphAnalysis } from './structure.js';
import { TrapKind } from './trap-kinds.js';
import { ValidatedRanges } from './validated-ranges.js';
import { Op, ValType, type ValTypeCode } from './wasm-opcodes.js';
import { WasmWriter } from './wasm-writer.js';

/** Registers r0-r10 are locals 0-10; the call depth (frames in use) is local 11. */
export const FRAMES_LOCAL = 11;
/** Iterations of the warm-up loop: enough to use up V8's tier-up budget in one call. */
export const WARM_UP_SPINS = 400_000;
/** How the lowering counts instructions. */
export type Metering = 'count' | 'budget';

/** What all functions of a module share. */
export interface ModuleLayout {
  readonly model: ProgramModel;
  readonly leaders: Uint8Array;
  /** Function index of each local function by entry slot. */
  readonly functionIndex: ReadonlyMap<number, number>;
  /** The first of five i32 globals a trap fills: kind, pc, a, b, c (see `trap-kinds.ts`). */
  readonly trapGlobals: number;
  readonly helperFn: number;
  readonly helperxFn: number;
  /** Imported `slowLoad(hi, lo, size, signed, pc) -> i64` (`engineImports` in `@ebpf/vm`). */
  readonly slowLoadFn: number;
  /** Imported `slowStore(hi, lo, size, value, pc)`. */
  readonly slowStoreFn: number;
  /** Imported `tailCallPending() -> i32`, asked after every helper call. */
  readonly tailPendingFn: number;
  /**
   * Whether loads and stores that miss the region table ask `slowLoad`/`slowStore` (program
   * contexts) instead of faulting at once. Without slow regions both give the same fault, so
   * the VM's ordinary runs use the variant without these calls.
   */
  readonly slowRegions: boolean;
  /** The i32 global holding the primary region's index (set by `run` from r1). */
  readonly primaryGlobal: number;
  readonly budgetGlobal: number;
  readonly metering: Metering;
  /** Whether r10 is never written, so r10-relative accesses can be resolved at compile time. */
  readonly staticStack: boolean;
}

const T0 = 12;
const BUD = 13;
const FIRST_I64_LOCAL = 14;
const NEED_READ = 1;
const NEED_WRITE = 3;
const STACK_LO_HI = 1; // the stack's region index, the upper half of its first address

/** A lowered function: its extra locals and its body. */
export interface LoweredFunction {
  readonly locals: readonly (readonly [number, ValTypeCode])[];
  readonly body: Uint8Array;
}

/**
 * Whether an access through `base` at `off` surely stays inside the current frame: r10 plus an
 * offset in the frame (and, for atomics, aligned; frames are 512-byte aligned).
 */
function isStaticStack(
  layout: ModuleLayout,
  base: number,
  off: number,
  size: number,
  atomic = false,
): boolean {
  return (
    layout.staticStack &&
    base === 10 &&
    off >= -STACK_FRAME_SIZE &&
    off + size <= 0 &&
    (!atomic || (off & (size - 1)) === 0)
  );
}

/** The base register and whether the memory instruction at `pc` stores. */
function memoryOperand(
  row: OpcodeRow,
  model: ProgramModel,
  pc: number,
): { base: number; store: boolean } {
  if (row.kind === 'load') return { base: model.src[pc], store: false };
  return { base: model.dst[pc], store: true };
}

/** Whether the instruction at `pc` can fault or call out (it ends a budget segment). */
function mayFault(layout: ModuleLayout, pc: number): boolean {
  const { model } = layout;
  if (model.trap[pc] !== Trap.NONE) return true;
  const row = model.rows[pc]!;
  switch (row.kind) {
    case 'load':
    case 'store':
    case 'atomic': {
      const { base } = memoryOperand(row, model, pc);
      return !isStaticStack(layout, base, model.off[pc], row.size, row.kind === 'atomic');
    }
    case 'call':
    case 'callx':
    case 'packet':
      return true;
    default:
      return false;
  }
}

/**
 * Lowers the function `graph` (already made reducible).
 */
export function emitFunction(
  layout: ModuleLayout,
  graph: FunctionGraph,
  analysis?: GraphAnalysis,
): LoweredFunction {
  const { model } = layout;
  const metered = layout.metering === 'budget';
  let graphAnalysis = analysis ?? analyzeGraph(graph.blocks);
  // Indexed accesses whose checks move to entry (a second, checked copy runs when they fail).
  const indexed = findIndexedAccesses(model, graph, graphAnalysis.rpo);
  // Counting only: one-instruction then-blocks become selects (after the analysis above, which
  // must see the original graph).
  const converted = metered ? new Map<number, IfConversion>() : convertIfThen(model, graph);
  if (converted.size > 0) graphAnalysis = analyzeGraph(graph.blocks);
  // Which (store?, size) limits of the primary region the function needs.
  const limitOf = new Map<number, number>();
  for (const a of indexed.values()) {
    const key = (a.store ? 16 : 0) + a.size;
    if (!limitOf.has(key)) limitOf.set(key, limitOf.size);
  }
  for (const b of graph.blocks) {
    if (b.start < 0) continue;
    const stackRegs = new StackPointers();
    for (let pc = b.start; pc <= b.last; pc += slotsAt(model, pc)) {
      const row = model.rows[pc];
      if (row === undefined || model.trap[pc] !== Trap.NONE) continue;
      if (row.kind === 'load' || row.kind === 'store' || row.kind === 'atomic') {
        const { base, store } = memoryOperand(row, model, pc);
        const atomic = row.kind === 'atomic';
        if (!isStaticStack(layout, base, model.off[pc], row.size, atomic) && !stackRegs.has(base)) {
          const key = (store ? 16 : 0) + row.size;
          if (!limitOf.has(key)) limitOf.set(key, limitOf.size);
        }
      }
      stackRegs.step(model, pc);
    }
  }
  const nLimits = limitOf.size;
  const PLO = FIRST_I64_LOCAL;
  const T1 = FIRST_I64_LOCAL + 1;
  const plimit = (store: boolean, size: number) =>
    FIRST_I64_LOCAL + 2 + limitOf.get((store ? 16 : 0) + size)!;
  const firstI32 = FIRST_I64_LOCAL + 2 + nLimits;
  const FP = firstI32;
  const LABEL = firstI32 + 1;
  const A32 = firstI32 + 2;
  const B32 = firstI32 + 3;
  const P32 = firstI32 + 4;
  const PBASE = firstI32 + 5;
  const PENTRY = firstI32 + 6;
  /** Per register: its value's low half plus its region's base, once an access validated it. */
  const pointerBase = (r: number) => firstI32 + 7 + r;
  const locals: [number, ValTypeCode][] = [
    [4 + nLimits, ValType.i64],
    [7 + 11 + 1 + 11 + 1, ValType.i32],
  ];
  /** The if-converted condition (1: the then-instruction does not run). */
  const SKIP = firstI32 + 30;
  /** 1 when every indexed access's range checked at entry holds (the unchecked copy runs). */
  const FAST = firstI32 + 18;
  /** Whether the copy being emitted is the one without checks on indexed accesses. */
  let uncheckedCopy = false;
  /** Per invariant base register of indexed accesses: its low half plus the region's base. */
  const basePhysical = (r: number) => firstI32 + 19 + r;
  const scratch = { a32: A32, b32: B32 };

  let slots = 0;
  for (const b of graph.blocks) if (b.start >= 0) slots += b.last - b.start + 1;
  // About 30 bytes of WebAssembly per instruction: size the buffer once.
  const w = new WasmWriter(256 + slots * 32);
  const get = (l: number) => {
    w.u8(Op.local_get);
    w.u32(l);
  };
  const set = (l: number) => {
    w.u8(Op.local_set);
    w.u32(l);
  };
  const i32c = (v: number) => {
    w.u8(Op.i32_const);
    w.s32(v);
  };
  const i64c = (v: number) => {
    w.u8(Op.i64_const);
    w.s32(v);
  };
  const call = (f: number) => {
    w.u8(Op.call);
    w.u32(f);
  };
  const syncOut = () => {
    get(BUD);
    w.u8(Op.global_set);
    w.u32(layout.budgetGlobal);
  };
  const syncIn = () => {
    w.u8(Op.global_get);
    w.u32(layout.budgetGlobal);
    set(BUD);
  };
  /** Raises trap `kind` at `pc` (never returns). */
  const setGlobal = (g: number) => {
    w.u8(Op.global_set);
    w.u32(g);
  };
  const TG = layout.trapGlobals;
  /**
   * Stops with trap `kind`: the reason goes into the trap globals and `unreachable` unwinds to
   * the JavaScript side, which raises the error. No call: V8 treats the path as a dead end.
   */
  const trap = (kind: number, pc: number, a = 0, b = 0, c = 0) => {
    syncOut();
    for (const [v, g] of [
      [kind, 0],
      [pc, 1],
      [a, 2],
      [b, 3],
      [c, 4],
    ]) {
      i32c(v);
      setGlobal(TG + g);
    }
    w.u8(Op.unreachable);
  };
  /** Like `trap`, but `a` and `b` come from A32 and B32. */
  const trapWithLocals = (kind: number, pc: number, c: number) => {
    syncOut();
    i32c(kind);
    setGlobal(TG);
    i32c(pc);
    setGlobal(TG + 1);
    get(A32);
    setGlobal(TG + 2);
    get(B32);
    setGlobal(TG + 3);
    i32c(c);
    setGlobal(TG + 4);
    w.u8(Op.unreachable);
  };

  /** Counts `n` instructions starting at `pc`; with a budget, stops exactly where it runs out. */
  const count = (n: number, pc: number) => {
    get(BUD);
    i64c(n);
    w.u8(Op.i64_sub);
    if (!metered) {
      set(BUD);
      return;
    }
    w.u8(Op.local_tee);
    w.u32(BUD);
    i64c(0);
    w.u8(Op.i64_lt_s);
    w.u8x2(Op.if, 0x40);
    // The remaining budget before the segment is BUD + n < n: that many instructions run.
    get(BUD);
    i64c(n);
    w.u8(Op.i64_add);
    w.u8(Op.i32_wrap_i64);
    set(A32);
    i64c(0);
    set(BUD);
    i32c(0);
    set(B32);
    trapWithLocals(TrapKind.BUDGET, pc, 0);
    w.u8(Op.end);
  };

  // Warm-up call (frames = 0): spin a small loop so that V8's baseline code uses up this
  // function's tier-up budget, then return. See `JitProgram.warmUp`.
  get(FRAMES_LOCAL);
  w.u8(Op.i32_eqz);
  w.u8x2(Op.if, 0x40);
  i32c(WARM_UP_SPINS);
  set(A32);
  w.u8x2(Op.loop, 0x40);
  get(A32);
  i32c(1);
  w.u8(Op.i32_sub);
  w.u8(Op.local_tee);
  w.u32(A32);
  w.u8(Op.br_if);
  w.u32(0);
  w.u8(Op.end);
  for (let r = 0; r <= 5; r++) i64c(0);
  w.u8(Op.return);
  w.u8(Op.end);
  // Function entry: budget in, frame pointer, the primary region.
  syncIn();
  if (layout.staticStack) {
    get(10);
    w.u8(Op.i32_wrap_i64);
    i32c(STACK_BASE - STACK_FRAME_SIZE);
    w.u8(Op.i32_add);
    set(FP);
  }
  const memarg = (op: number, offset: number) => {
    w.u8(op);
    w.u8(0); // alignment hint: none
    w.u32(offset);
  };
  /**
   * Reads the primary region's table entry, first address, base and limits into locals: at entry
   * and again after every call, since a helper may change the input's length (packet tail
   * adjustment) and the checks must stay exact.
   */
  const loadPrimary = () => {
    if (nLimits === 0) return;
    w.u8(Op.global_get);
    w.u32(layout.primaryGlobal);
    w.u8(Op.local_tee);
    w.u32(PENTRY);
    w.u8(Op.i64_extend_i32_u);
    i64c(32);
    w.u8(Op.i64_shl);
    set(PLO);
    get(PENTRY);
    i32c(REGION_ENTRY_SIZE);
    w.u8(Op.i32_mul);
    if (REGION_TABLE_OFFSET !== 0) {
      i32c(REGION_TABLE_OFFSET);
      w.u8(Op.i32_add);
    }
    w.u8(Op.local_tee);
    w.u32(PENTRY);
    memarg(Op.i32_load, 0);
    set(PBASE);
    for (const [key, index] of limitOf) {
      const size = key & 15;
      const store = key >= 16;
      // limit = length - size + 1, or 0 when the access cannot fit (or may not store)
      get(PENTRY);
      memarg(Op.i64_load32_u, 4);
      i64c(size - 1);
      w.u8(Op.i64_sub);
      w.u8(Op.local_tee);
      w.u32(T1);
      i64c(0);
      get(T1);
      i64c(0);
      w.u8(Op.i64_gt_s);
      if (store) {
        get(PENTRY);
        memarg(Op.i32_load, 8);
        i32c(NEED_WRITE);
        w.u8(Op.i32_and);
        i32c(NEED_WRITE);
        w.u8(Op.i32_eq);
        w.u8(Op.i32_and);
      } else {
        get(PENTRY);
        memarg(Op.i32_load, 8);
        i32c(NEED_READ);
        w.u8(Op.i32_and);
        w.u8(Op.i32_and);
      }
      w.u8(Op.select);
      set(FIRST_I64_LOCAL + 2 + index);
    }
  };
  loadPrimary();

  /** Traps with an access violation for the address in T0. */
  const accessFault = (pc: number, size: number, store: boolean) => {
    get(T0);
    w.u8(Op.i32_wrap_i64);
    set(A32);
    get(T0);
    i64c(32);
    w.u8(Op.i64_shr_u);
    w.u8(Op.i32_wrap_i64);
    set(B32);
    trapWithLocals(store ? TrapKind.STORE_FAULT : TrapKind.LOAD_FAULT, pc, size);
  };

  /**
   * Pushes the physical address of the checked access at `base + off` (the virtual address is
   * left in T0): the predicted region's fast path, else the table lookup.
   */
  const checkedAddress = (
    pc: number,
    base: number,
    off: number,
    size: number,
    store: boolean,
    onStack: boolean,
    slow?: () => void,
  ) => {
    const need = store ? NEED_WRITE : NEED_READ;
    get(base);
    if (off !== 0) {
      i64c(off);
      w.u8(Op.i64_add);
    }
    w.u8(Op.local_tee);
    w.u32(T0);
    if (onStack) {
      w.u8(Op.i64_const);
      w.s64(0, STACK_LO_HI);
    } else get(PLO);
    w.u8(Op.i64_sub);
    if (onStack) i64c(STACK_SIZE - size + 1);
    else get(plimit(store, size));
    w.u8(Op.i64_lt_u);
    w.u8x2(Op.if, ValType.i32);
    get(T0);
    w.u8(Op.i32_wrap_i64);
    if (onStack) i32c(STACK_BASE);
    else get(PBASE);
    w.u8(Op.i32_add);
    w.u8(Op.else);
    // Another region: look it up. An index beyond the table reads entry 0, which maps nothing.
    get(T0);
    i64c(32);
    w.u8(Op.i64_shr_u);
    w.u8(Op.i32_wrap_i64);
    w.u8(Op.local_tee);
    w.u32(A32);
    i32c(0);
    get(A32);
    i32c(MAX_REGIONS);
    w.u8(Op.i32_lt_u);
    w.u8(Op.select);
    i32c(REGION_ENTRY_SIZE);
    w.u8(Op.i32_mul);
    if (REGION_TABLE_OFFSET !== 0) {
      i32c(REGION_TABLE_OFFSET);
      w.u8(Op.i32_add);
    }
    set(A32);
    // offset + size <= length (in 64 bits, so nothing wraps), and the flags hold `need`
    get(T0);
    w.u8(Op.i64_const);
    w.s64(0xffff_ffff, 0);
    w.u8(Op.i64_and);
    i64c(size);
    w.u8(Op.i64_add);
    get(A32);
    memarg(Op.i64_load32_u, 4);
    w.u8(Op.i64_gt_u);
    get(A32);
    memarg(Op.i32_load, 8);
    i32c(need);
    w.u8(Op.i32_and);
    i32c(need);
    w.u8(Op.i32_ne);
    w.u8(Op.i32_or);
    w.u8x2(Op.if, 0x40);
    if (slow === undefined) accessFault(pc, size, store);
    else {
      // The slow path serves the access (or throws the fault) and leaves the access's block.
      slow();
      w.u8(Op.br);
      w.u32(2);
    }
    w.u8(Op.end);
    get(T0);
    w.u8(Op.i32_wrap_i64);
    get(A32);
    memarg(Op.i32_load, 0);
    w.u8(Op.i32_add);
    w.u8(Op.end);
  };

  /** Pushes the high and low halves of the virtual address in T0 (a slow call's first operands). */
  const virtualHalves = () => {
    get(T0);
    i64c(32);
    w.u8(Op.i64_shr_u);
    w.u8(Op.i32_wrap_i64);
    get(T0);
    w.u8(Op.i32_wrap_i64);
  };
  /** Whether `address` opened a block the caller must close after the access (`slow` given). */
  let openBlock = false;

  /**
   * Pushes the physical address and gives the memarg offset of a memory operand. With `slow`
   * (a load or store in the slow-regions variant), a miss calls it instead of faulting, inside a
   * block `address` opens (`openBlock`): the caller emits the access, then closes the block.
   */
  const address = (
    pc: number,
    base: number,
    off: number,
    size: number,
    store: boolean,
    atomic = false,
    slow?: () => void,
  ): number => {
    openBlock = false;
    if (isStaticStack(layout, base, off, size, atomic)) {
      get(FP);
      return off + STACK_FRAME_SIZE;
    }
    const proof = uncheckedCopy && !atomic ? indexed.get(pc) : undefined;
    if (proof !== undefined) {
      // Proved at entry (see `bounded-indexes.ts`): inside the primary region, where
      // low(base) + index + off does not carry, so the physical address is base's plus index.
      if (proof.index === -2) {
        get(basePhysical(proof.base));
      } else if (proof.index >= 0) {
        get(basePhysical(proof.base));
        get(proof.index);
        w.u8(Op.i32_wrap_i64);
        w.u8(Op.i32_add);
      } else {
        get(base);
        w.u8(Op.i32_wrap_i64);
        get(PBASE);
        w.u8(Op.i32_add);
      }
      return off;
    }
    if (slow !== undefined) {
      // No proved ranges here: after a slow access, a later one through the same register must
      // take the slow path again.
      w.u8x2(Op.block, 0x40);
      openBlock = true;
      checkedAddress(pc, base, off, size, store, stackRegs.has(base), slow);
      return 0;
    }
    if (!atomic && validated.covers(base, off, size, store)) {
      // An earlier access through the same, unchanged register proved this one in bounds.
      get(pointerBase(base));
      if (off >= 0) return off;
      i32c(off);
      w.u8(Op.i32_add);
      return 0;
    }
    checkedAddress(pc, base, off, size, store, stackRegs.has(base));
    if (!atomic) {
      // Remember low(reg) + base (mod 2^32) for later accesses through the same register.
      if (off === 0) {
        w.u8(Op.local_tee);
        w.u32(pointerBase(base));
      } else {
        w.u8(Op.local_tee);
        w.u32(P32);
        i32c(off);
        w.u8(Op.i32_sub);
        set(pointerBase(base));
        get(P32);
      }
      validated.record(base, off, size, store);
    }
    return 0;
  };

  const LOAD: Record<number, number> = {
    1: Op.i64_load8_u,
    2: Op.i64_load16_u,
    4: Op.i64_load32_u,
    8: Op.i64_load,
  };
  const LOADS: Record<number, number> = {
    1: Op.i64_load8_s,
    2: Op.i64_load16_s,
    4: Op.i64_load32_s,
  };
  const STORE: Record<number, number> = {
    1: Op.i64_store8,
    2: Op.i64_store16,
    4: Op.i64_store32,
    8: Op.i64_store,
  };

  const STORE32: Record<number, number> = {
    1: Op.i32_store8,
    2: Op.i32_store16,
    4: Op.i32_store,
  };

  const lowerAtomic = (pc: number, row: OpcodeRow) => {
    const d = model.dst[pc];
    const s = model.src[pc];
    const off = model.off[pc];
    const size = row.size;
    const offset = address(pc, d, off, size, true, true);
    if (offset !== 0) {
      i32c(offset);
      w.u8(Op.i32_add);
    }
    set(P32);
    if (!isStaticStack(layout, d, off, size, true)) {
      get(P32);
      i32c(size - 1);
      w.u8(Op.i32_and);
      w.u8x2(Op.if, 0x40);
      get(T0);
      w.u8(Op.i32_wrap_i64);
      set(A32);
      get(T0);
      i64c(32);
      w.u8(Op.i64_shr_u);
      w.u8(Op.i32_wrap_i64);
      set(B32);
      trapWithLocals(TrapKind.MISALIGNED, pc, size);
      w.u8(Op.end);
    }
    const load = size === 4 ? Op.i64_load32_u : Op.i64_load;
    const store = size === 4 ? Op.i64_store32 : Op.i64_store;
    // old value into T1
    get(P32);
    memarg(load, 0);
    set(T1);
    const op = row.op;
    if (op === 'atomic_cmpxchg') {
      get(T1);
      get(0);
      if (size === 4) {
        w.u8(Op.i64_const);
        w.s64(0xffff_ffff, 0);
        w.u8(Op.i64_and);
      }
      w.u8(Op.i64_eq);
      w.u8x2(Op.if, 0x40);
      get(P32);
      get(s);
      memarg(store, 0);
      w.u8(Op.end);
      get(T1);
      set(0);
      return;
    }
    get(P32);
    if (op === 'atomic_xchg') {
      get(s);
    } else {
      get(T1);
      get(s);
      const base = op.replace('atomic_', '').replace('fetch_', '');
      w.u8(
        base === 'add'
          ? Op.i64_add
          : base === 'or'
            ? Op.i64_or
            : base === 'and'
              ? Op.i64_and
              : Op.i64_xor,
      );
    }
    memarg(store, 0);
    if (op.startsWith('atomic_fetch_') || op === 'atomic_xchg') {
      get(T1);
      set(s);
    }
  };

  const lowerPacket = (pc: number, row: OpcodeRow) => {
    const size = row.size;
    if (row.op === 'ldabs') i32c(model.imm[pc]);
    else {
      get(model.src[pc]);
      w.u8(Op.i32_wrap_i64);
      i32c(model.imm[pc]);
      w.u8(Op.i32_add);
    }
    w.u8(Op.local_tee);
    w.u32(A32);
    i32c(0);
    w.u8(Op.i32_lt_s);
    get(A32);
    i32c(size);
    w.u8(Op.i32_add);
    i32c(REGION_TABLE_OFFSET + REGION_INPUT * REGION_ENTRY_SIZE);
    memarg(Op.i32_load, 4);
    w.u8(Op.i32_gt_u);
    w.u8(Op.i32_or);
    w.u8x2(Op.if, 0x40);
    trap(TrapKind.HALT, pc);
    w.u8(Op.end);
    i32c(REGION_TABLE_OFFSET + REGION_INPUT * REGION_ENTRY_SIZE);
    memarg(Op.i32_load, 0);
    get(A32);
    w.u8(Op.i32_add);
    if (size === 1) {
      memarg(Op.i64_load8_u, 0);
    } else {
      memarg(size === 2 ? Op.i32_load16_u : Op.i32_load, 0);
      // Network byte order: swap.
      set(A32);
      if (size === 2) {
        get(A32);
        i32c(8);
        w.u8(Op.i32_shr_u);
        get(A32);
        i32c(0xff);
        w.u8(Op.i32_and);
        i32c(8);
        w.u8(Op.i32_shl);
        w.u8(Op.i32_or);
      } else {
        get(A32);
        i32c(8);
        w.u8(Op.i32_rotl);
        i32c(0x00ff00ff);
        w.u8(Op.i32_and);
        get(A32);
        i32c(8);
        w.u8(Op.i32_rotr);
        i32c(0xff00ff00 | 0);
        w.u8(Op.i32_and);
        w.u8(Op.i32_or);
      }
      w.u8(Op.i64_extend_i32_u);
    }
    set(0);
  };

  const lowerLocalCall = (pc: number) => {
    get(FRAMES_LOCAL);
    i32c(MAX_CALL_DEPTH);
    w.u8(Op.i32_ge_u);
    w.u8x2(Op.if, 0x40);
    get(FRAMES_LOCAL);
    i32c(1);
    w.u8(Op.i32_add);
    set(A32);
    i32c(0);
    set(B32);
    trapWithLocals(TrapKind.CALL_DEPTH, pc, 0);
    w.u8(Op.end);
    const t = targetAt(model, pc);
    if (!isValidTarget(model, t)) {
      // The callee's first "instruction" is the slot past the end or an lddw half.
      count(1, t);
      trap(t >= model.length ? TrapKind.FELL_OFF : TrapKind.LDDW_TAIL, t, t);
      return;
    }
    syncOut();
    for (let r = 0; r < 10; r++) get(r);
    get(10);
    i64c(STACK_FRAME_SIZE);
    w.u8(Op.i64_sub);
    get(FRAMES_LOCAL);
    i32c(1);
    w.u8(Op.i32_add);
    call(layout.functionIndex.get(t)!);
    for (let r = 5; r >= 0; r--) set(r);
    syncIn();
    loadPrimary();
  };

  /**
   * After a helper call: stop for a tail call the helper requested (at call depth 0 the run ends
   * with the count so far; deeper, it is the interpreter's VM_UNSUPPORTED), then re-read the
   * primary region's bounds, which the helper may have changed.
   */
  const afterHelper = (pc: number) => {
    call(layout.tailPendingFn);
    w.u8x2(Op.if, 0x40);
    get(FRAMES_LOCAL);
    i32c(1);
    w.u8(Op.i32_gt_u);
    w.u8x2(Op.if, 0x40);
    trap(TrapKind.TAIL_CALL_IN_FUNCTION, pc);
    w.u8(Op.else);
    trap(TrapKind.TAIL_CALL, pc);
    w.u8(Op.end);
    w.u8(Op.end);
    loadPrimary();
  };

  /** `t = x shifted by k; x = x rotated by k` (see `rotate-idiom.ts`). */
  const lowerRotate = ({ x, t, op, k }: RotateIdiom) => {
    get(x);
    i64c(k);
    w.u8(op === 'rsh' ? Op.i64_shr_u : Op.i64_shl);
    set(t);
    get(x);
    i64c(k);
    w.u8(op === 'rsh' ? Op.i64_rotr : Op.i64_rotl);
    set(x);
  };

  let stackRegs = new StackPointers();
  const validated = new ValidatedRanges();
  const lowerInsn = (pc: number) => {
    lowerInsnOnly(pc);
    stackRegs.step(model, pc);
    validated.step(model, pc);
  };
  const lowerInsnOnly = (pc: number) => {
    const row = model.rows[pc]!;
    const trapKind = model.trap[pc];
    if (trapKind !== Trap.NONE) {
      const k =
        trapKind === Trap.UNKNOWN_OPCODE
          ? TrapKind.UNKNOWN_OPCODE
          : trapKind === Trap.BAD_REGISTER
            ? TrapKind.BAD_REGISTER
            : trapKind === Trap.BAD_TARGET
              ? TrapKind.BAD_TARGET
              : trapKind === Trap.UNRESOLVED_LDDW
                ? TrapKind.UNRESOLVED_LDDW
                : TrapKind.UNSUPPORTED;
      trap(k, pc, model.trapArg[pc]);
      return;
    }
    const d = model.dst[pc];
    const s = model.src[pc];
    switch (row.kind) {
      case 'alu':
      case 'neg':
      case 'movsx':
      case 'endian':
        lowerAlu(w, row, d, s, model.off[pc], model.imm[pc], scratch);
        return;
      case 'lddw':
        w.u8(Op.i64_const);
        w.s64(model.imm[pc], model.immHi[pc]);
        set(d);
        return;
      case 'load': {
        const signed = row.op === 'ldxs';
        const slow = layout.slowRegions
          ? () => {
              virtualHalves();
              i32c(row.size);
              i32c(signed ? 1 : 0);
              i32c(pc);
              call(layout.slowLoadFn);
              set(d);
            }
          : undefined;
        const offset = address(pc, s, model.off[pc], row.size, false, false, slow);
        memarg(signed ? LOADS[row.size] : LOAD[row.size], offset);
        set(d);
        if (openBlock) w.u8(Op.end);
        return;
      }
      case 'store': {
        const value = () => {
          if (row.op === 'st') {
            w.u8(Op.i64_const);
            w.s32(model.imm[pc]);
          } else get(s);
        };
        const slow = layout.slowRegions
          ? () => {
              virtualHalves();
              i32c(row.size);
              value();
              i32c(pc);
              call(layout.slowStoreFn);
            }
          : undefined;
        const offset = address(pc, d, model.off[pc], row.size, true, false, slow);
        if (row.op === 'st' && row.size < 8) {
          // An immediate needs no 64-bit value: store it from an i32 constant.
          i32c(model.imm[pc]);
          memarg(STORE32[row.size], offset);
        } else {
          value();
          memarg(STORE[row.size], offset);
        }
        if (openBlock) w.u8(Op.end);
        return;
      }
      case 'atomic':
        lowerAtomic(pc, row);
        return;
      case 'packet':
        lowerPacket(pc, row);
        return;
      case 'call':
        if (row.op === 'call_local') {
          lowerLocalCall(pc);
          return;
        }
        syncOut();
        i32c(model.imm[pc]);
        i32c(pc);
        for (let r = 1; r <= 5; r++) get(r);
        call(layout.helperFn);
        set(0);
        afterHelper(pc);
        return;
      case 'callx':
        syncOut();
        get(d);
        w.u8(Op.i32_wrap_i64);
        get(d);
        i64c(32);
        w.u8(Op.i64_shr_u);
        w.u8(Op.i32_wrap_i64);
        i32c(pc);
        for (let r = 1; r <= 5; r++) get(r);
        call(layout.helperxFn);
        set(0);
        afterHelper(pc);
        return;
      default:
        // ja, jcond and exit: the structurer writes them.
        return;
    }
  };

  /**
   * Where a counting segment ends. With a budget: at every instruction that can fault or call
   * out. Counting only: where the run can end normally mid-block (a packet load out of bounds,
   * also inside a callee), since the count is observable only when the run ends normally.
   */
  const endsSegment = (pc: number): boolean => {
    // In the unchecked copy, a hoisted load cannot fault and has no effect a stop before it
    // could lose (a store's would be: the run stops before the segment's first instruction).
    if (metered)
      return mayFault(layout, pc) && !(uncheckedCopy && indexed.get(pc)?.store === false);
    const row = model.rows[pc];
    return (
      row !== undefined && (row.kind === 'packet' || row.kind === 'call' || row.kind === 'callx')
    );
  };

  /** Instructions in the segment of `b` that starts at `pc`. */
  const segmentLength = (b: Block, pc: number): number => {
    let n = 0;
    for (let p = pc; p <= b.last; p += slotsAt(model, p)) {
      n++;
      if (endsSegment(p)) break;
    }
    return n;
  };
  const body = (b: Block) => {
    stackRegs = new StackPointers();
    validated.clear();
    let pc = b.start;
    while (pc <= b.last) {
      const n = segmentLength(b, pc);
      count(n, pc);
      for (let i = 0; i < n; i++) {
        const rotate = i + 3 < n ? matchRotate(model, pc) : undefined;
        if (rotate !== undefined) {
          // Four ALU instructions of one segment: nothing in between can stop the run.
          lowerRotate(rotate);
          for (let j = 0; j < 4; j++, pc++) {
            stackRegs.step(model, pc);
            validated.step(model, pc);
          }
          i += 3;
          continue;
        }
        lowerInsn(pc);
        pc += slotsAt(model, pc);
      }
    }
    const conversion = converted.get(b.id);
    if (conversion !== undefined) lowerIfConverted(b, conversion);
  };

  /**
   * The end of an if-converted block: the then-instruction runs into its register and a select
   * keeps the old value when the jump would have skipped it; the count follows the same way.
   */
  const lowerIfConverted = (b: Block, { thenPc, skipWhenTaken }: IfConversion) => {
    const pc = b.last;
    lowerCondition(w, model.rows[pc]!, model.dst[pc], model.src[pc], model.imm[pc]);
    if (!skipWhenTaken) w.u8(Op.i32_eqz);
    set(SKIP);
    // x op= (SKIP ? 0 : y), 0 being op's right identity
    const row = model.rows[thenPc]!;
    const d = model.dst[thenPc];
    get(d);
    i64c(0);
    if (row.source === 'reg') get(model.src[thenPc]);
    else i64c(model.imm[thenPc]);
    get(SKIP);
    w.u8(Op.select);
    w.u8(
      row.op === 'add'
        ? Op.i64_add
        : row.op === 'sub'
          ? Op.i64_sub
          : row.op === 'or'
            ? Op.i64_or
            : Op.i64_xor,
    );
    set(d);
    get(BUD);
    i64c(0);
    i64c(1);
    get(SKIP);
    w.u8(Op.select);
    w.u8(Op.i64_sub);
    set(BUD);
    stackRegs.mask &= ~(1 << d);
    validated.step(model, thenPc);
  };

  /**
   * FAST = whether, for every indexed access, `[base + off, base + max(L - 1, c) + off + size)`
   * lies in the primary region with the access's permission (values at entry, which the
   * function never changes; it makes no calls, so the region table does not change either).
   */
  const emitRangeChecks = () => {
    const seen = new Set<string>();
    i32c(1);
    for (const a of indexed.values()) {
      const key = `${a.base},${a.limit},${a.c},${a.end},${a.store},${a.size}`;
      if (seen.has(key)) continue;
      seen.add(key);
      // lo = base - PLO must be a region offset (< 2^32)
      get(a.base);
      get(PLO);
      w.u8(Op.i64_sub);
      w.u8(Op.local_tee);
      w.u32(T0);
      w.u8(Op.i64_const);
      w.s64(0, 1);
      w.u8(Op.i64_lt_u);
      w.u8(Op.i32_and);
      // M = max(L - 1, c) (L at most 2^32, so nothing overflows), else c
      if (a.limit >= 0) {
        get(a.limit);
        w.u8(Op.i64_const);
        w.s64(0, 1);
        w.u8(Op.i64_le_u);
        w.u8(Op.i32_and);
        get(a.limit);
        i64c(1);
        w.u8(Op.i64_sub);
        w.u8(Op.local_tee);
        w.u32(T1);
        i64c(a.c);
        get(T1);
        i64c(a.c);
        w.u8(Op.i64_gt_s);
        w.u8(Op.select);
      } else i64c(a.c);
      // lo + M + off < limit(store, size), i.e. the last byte fits
      get(T0);
      w.u8(Op.i64_add);
      i64c(a.end - a.size);
      w.u8(Op.i64_add);
      get(plimit(a.store, a.size));
      w.u8(Op.i64_lt_u);
      w.u8(Op.i32_and);
    }
    set(FAST);
    for (const a of indexed.values()) {
      get(a.base);
      w.u8(Op.i32_wrap_i64);
      get(PBASE);
      w.u8(Op.i32_add);
      set(basePhysical(a.base));
    }
  };
  const emitBody = () => {
    emitStructured(
      graph,
      w,
      {
        body,
        condition(b) {
          const pc = b.last;
          lowerCondition(w, model.rows[pc]!, model.dst[pc], model.src[pc], model.imm[pc]);
        },
        exit() {
          syncOut();
          for (let r = 0; r <= 5; r++) get(r);
          w.u8(Op.return);
        },
        fault(b) {
          if (b.kind === 'bad-jump') {
            count(1, b.badTarget);
            trap(
              b.badReason === 'fell-off' ? TrapKind.FELL_OFF : TrapKind.LDDW_TAIL,
              b.badTarget,
              b.badTarget,
            );
          }
          // `fault` blocks trapped in their body already.
        },
        getLabel() {
          get(LABEL);
        },
        setLabel(label) {
          i32c(label);
          set(LABEL);
        },
      },
      graphAnalysis,
    );
  };
  if (indexed.size > 0) {
    emitRangeChecks();
    get(FAST);
    w.u8x2(Op.if, 0x40);
    uncheckedCopy = true;
    emitBody();
    w.u8(Op.unreachable);
    w.u8(Op.else);
    uncheckedCopy = false;
    emitBody();
    w.u8(Op.unreachable);
    w.u8(Op.end);
  } else emitBody();
  w.u8(Op.unreachable);
  w.u8(Op.end);
  return { locals, body: w.view() };
}
