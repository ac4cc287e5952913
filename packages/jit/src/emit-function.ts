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
import type { Block, FunctionGraph } from './control-flow-graph.js';
import { isValidTarget } from './control-flow-graph.js';
import { lowerAlu, lowerCondition } from './lower-alu.js';
import { type ProgramModel, slotsAt, Trap, targetAt } from './program-model.js';
import { StackPointers } from './stack-pointers.js';
import { emitStructured, type GraphAnalysis } from './structure.js';
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
  // Which (store?, size) limits of the primary region the function needs.
  const limitOf = new Map<number, number>();
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
    [7 + 11, ValType.i32],
  ];
  const scratch = { a32: A32, b32: B32 };

  const w = new WasmWriter(64 + graph.blocks.length * 48);
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
  if (nLimits > 0) {
    // The primary region's table entry, first address, base and limits.
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
  }

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
    accessFault(pc, size, store);
    w.u8(Op.end);
    get(T0);
    w.u8(Op.i32_wrap_i64);
    get(A32);
    memarg(Op.i32_load, 0);
    w.u8(Op.i32_add);
    w.u8(Op.end);
  };

  /** Pushes the physical address and gives the memarg offset of a memory operand. */
  const address = (
    pc: number,
    base: number,
    off: number,
    size: number,
    store: boolean,
    atomic = false,
  ): number => {
    if (isStaticStack(layout, base, off, size, atomic)) {
      get(FP);
      return off + STACK_FRAME_SIZE;
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
        const offset = address(pc, s, model.off[pc], row.size, false);
        memarg(row.op === 'ldxs' ? LOADS[row.size] : LOAD[row.size], offset);
        set(d);
        return;
      }
      case 'store': {
        const offset = address(pc, d, model.off[pc], row.size, true);
        if (row.op === 'st') {
          w.u8(Op.i64_const);
          w.s32(model.imm[pc]);
        } else get(s);
        memarg(STORE[row.size], offset);
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
    if (metered) return mayFault(layout, pc);
    const row = model.rows[pc];
    return row !== undefined && (row.kind === 'packet' || row.op === 'call_local');
  };

  const body = (b: Block) => {
    stackRegs = new StackPointers();
    validated.clear();
    let pc = b.start;
    while (pc <= b.last) {
      let n = 0;
      for (let p = pc; p <= b.last; p += slotsAt(model, p)) {
        n++;
        if (endsSegment(p)) break;
      }
      count(n, pc);
      for (let i = 0; i < n; i++) {
        lowerInsn(pc);
        pc += slotsAt(model, pc);
      }
    }
  };

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
    analysis,
  );
  w.u8(Op.unreachable);
  w.u8(Op.end);
  return { locals, body: w.view() };
}
