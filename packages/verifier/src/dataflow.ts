/**
 * The dataflow analysis behind `strict`: an abstract interpreter over basic blocks that merges
 * states where paths meet and widens them at loop headers, so its cost grows with the program,
 * not with the number of paths. Local calls are analysed in the context of each call chain.
 */
import { type DecodedInsn, FRAME_POINTER, MAX_CALL_DEPTH, STACK_FRAME_SIZE } from '@ebpf/isa';
import {
  type AbstractState,
  type AbstractValue,
  CLOBBERED,
  cloneState,
  EMPTY_SLOT,
  equalState,
  type Frame,
  formatState,
  formatValue,
  joinState,
  NO_PACKET_RANGES,
  NO_REFS,
  type PointerValue,
  RELEASED,
  type Region,
  STACK_SLOTS,
  type StackSlot,
  scalarValueOf,
  UNINIT,
} from './abstract-state.js';
import {
  branchTarget,
  codeAddressTarget,
  findSubprograms,
  isJump,
  type Subprograms,
} from './control-flow.js';
import type { DecodedProgram } from './decode-program.js';
import { findLoops, type Loop } from './find-loops.js';
import { createProblem } from './problem.js';
import { refineBranch } from './refine-branch.js';
import {
  addScalar,
  applyAlu,
  normalizeScalar,
  SCALAR_UNKNOWN,
  type Scalar,
  scalarConst,
  scalarRange,
  scalarValue,
  subScalar,
} from './scalar.js';
import { U32_MAX } from './tnum.js';
import type {
  HelperCallback,
  HelperPrototype,
  HostDeclaration,
  VerifyProblem,
} from './verifier.js';
import {
  VERIFY_BAD_RELEASE,
  VERIFY_BAD_RETURN,
  VERIFY_CALL_DEPTH,
  VERIFY_HELPER_ARGUMENT,
  VERIFY_INDIRECT_CALL,
  VERIFY_MISALIGNED_ATOMIC,
  VERIFY_MIXED_VALUE,
  VERIFY_NOT_A_POINTER,
  VERIFY_NULL_DEREF,
  VERIFY_OUT_OF_BOUNDS,
  VERIFY_PACKET_LOAD_CONTEXT,
  VERIFY_PACKET_UNCHECKED,
  VERIFY_PARTIAL_POINTER,
  VERIFY_POINTER_ARITHMETIC,
  VERIFY_POINTER_COMPARISON,
  VERIFY_POINTER_STORE,
  VERIFY_READ_ONLY,
  VERIFY_RECURSION,
  VERIFY_STACK_DEPTH,
  VERIFY_TOO_COMPLEX,
  VERIFY_UNINIT_REGISTER,
  VERIFY_UNINIT_STACK,
  VERIFY_UNKNOWN_HELPER,
  VERIFY_UNKNOWN_MAP,
  VERIFY_UNRELEASED_REFERENCE,
  VERIFY_VARIABLE_OFFSET,
} from './verify-errors.js';

/** Limits of the analysis. */
export interface DataflowLimits {
  /** Instructions the analysis may interpret in all before giving up (default: 2,000,000 or 4 per slot, whichever is more). */
  readonly maxSteps?: number;
  /**
   * Frames the analysis may keep in stored states, summed over every block and call chain
   * (default 300,000), which bounds its memory.
   */
  readonly maxStoredFrames?: number;
  /** Combined stack bytes of one call chain (default 512, as Linux). */
  readonly maxCombinedStack?: number;
  /**
   * Loop iterations kept apart before their states merge (default 0: every iteration merges at
   * the loop header). Unrolling is more precise and costs up to this many times more. `strict`
   * uses it (default 32) only to retry a program that the merging analysis refuses.
   */
  readonly unroll?: number;
  /** Visits of a loop header before its state is widened (default 3). */
  readonly widenAfter?: number;
}

/** What the analysis found, for the loop rules and for tools. */
export interface DataflowResult {
  readonly problems: VerifyProblem[];
  readonly loops: readonly Loop[];
  /** For each loop header: the state entering the loop from outside, per call context. */
  readonly loopEntry: ReadonlyMap<number, AbstractState[]>;
  /** Slots reached by the control-flow graph from the entry (not by values). */
  readonly reachable: Uint8Array;
}

/**
 * Where a state stands besides its instruction: in which chain of local calls and, when loops
 * are unrolled, in which iteration of each loop around it.
 */
interface Context {
  readonly parent: number;
  /** The call instruction that created this context (-1 for the entry and for iterations). */
  readonly callsite: number;
  /** The subprogram index of each frame. */
  readonly subs: readonly number[];
  /** For an iteration context: the loop's header and the iteration (the last one sums the rest). */
  readonly header?: number;
  readonly iteration?: number;
  /** For a helper's callback: what it receives and what the helper returns after it. */
  readonly callback?: {
    readonly entry: number;
    readonly of: HelperCallback;
    readonly ret: AbstractValue;
  };
}

const MAX_VAR_OFF = 1n << 29n;
const MASK32 = U32_MAX;

const LOAD_RESULTS = new Map<number, Scalar>();

/** The value a load of `size` bytes gives (zero- or sign-extended), shared between calls. */
function loadResult(size: number, signed: boolean): Scalar {
  const key = size * 2 + (signed ? 1 : 0);
  let r = LOAD_RESULTS.get(key);
  if (!r) {
    r = computeLoadResult(size, signed);
    LOAD_RESULTS.set(key, r);
  }
  return r;
}

function computeLoadResult(size: number, signed: boolean): Scalar {
  if (size === 8) return SCALAR_UNKNOWN;
  const bits = BigInt(size * 8);
  if (!signed) return scalarRange(0n, (1n << bits) - 1n);
  const half = 1n << (bits - 1n);
  return normalizeScalar({ ...SCALAR_UNKNOWN, smin: -half, smax: half - 1n })!;
}

function entryFrame(): Frame {
  return {
    regs: new Array<AbstractValue>(11).fill(UNINIT),
    stack: new Array<StackSlot>(STACK_SLOTS).fill(EMPTY_SLOT),
  };
}

function stackPointer(frame: number): PointerValue {
  return {
    kind: 'ptr',
    region: 'stack',
    offset: scalarConst(0n),
    owner: frame,
    size: STACK_FRAME_SIZE,
    nullable: false,
    id: 0,
  };
}

const REGION_NAMES: Record<Region, string> = {
  ctx: 'the context',
  stack: 'the stack',
  packet: 'the packet',
  packet_end: 'the packet end',
  map_value: 'a map value',
  map: 'a map',
  mem: 'memory',
};

/** Runs the dataflow analysis over a structurally valid program. */
export function analyseDataflow(
  program: DecodedProgram,
  host: HostDeclaration,
  limits: DataflowLimits = {},
): DataflowResult {
  return new Analysis(program, host, limits).run();
}

class Analysis {
  private readonly at: readonly (DecodedInsn | undefined)[];
  private readonly slots: number;
  private readonly subs: Subprograms;
  private readonly leader: Uint8Array;
  private readonly headerLoops = new Map<number, Loop>();
  private readonly loops: Loop[];
  private readonly contexts: Context[] = [{ parent: -1, callsite: -1, subs: [0] }];
  private readonly contextByKey = new Map<string, number>();
  private readonly states = new Map<number, AbstractState>();
  private readonly visits = new Map<number, number>();
  private readonly loopEntry = new Map<number, AbstractState[]>();
  private readonly loopEntryByKey = new Map<number, AbstractState>();
  private readonly queue: number[] = [];
  private readonly queued = new Set<number>();
  private readonly problems: VerifyProblem[] = [];
  private readonly reported = new Set<string>();
  private readonly stackDepth: Int32Array;
  private readonly maxSteps: number;
  private readonly widenAfter: number;
  private readonly maxCallDepth: number;
  /** Constants the program compares against (and sizes), where widening stops first. */
  private readonly thresholds: readonly bigint[];
  private steps = 0;
  private storedFrames = 0;
  private full = false;
  private readonly maxStoredFrames: number;
  private readonly unroll: number;
  private current: AbstractState | undefined;
  private currentCtx = 0;

  constructor(
    program: DecodedProgram,
    private readonly host: HostDeclaration,
    private readonly limits: DataflowLimits,
  ) {
    this.at = program.at;
    this.slots = program.slots;
    this.subs = findSubprograms(program);
    this.stackDepth = new Int32Array(this.subs.entries.length);
    this.maxSteps = limits.maxSteps ?? Math.max(2_000_000, 4 * this.slots);
    this.widenAfter = limits.widenAfter ?? 3;
    this.maxStoredFrames = limits.maxStoredFrames ?? 300_000;
    this.unroll = Math.max(0, Math.floor(limits.unroll ?? 0));
    this.maxCallDepth = host.maxCallDepth ?? MAX_CALL_DEPTH;
    this.leader = new Uint8Array(this.slots + 1);
    for (const e of this.subs.entries) this.leader[e] = 1;
    for (const insn of program.insns) {
      if (isJump(insn)) {
        const t = branchTarget(insn)!;
        if (t >= 0 && t < this.slots) this.leader[t] = 1;
        this.leader[insn.pc + 1] = 1;
      }
      if (insn.row.kind === 'exit' || insn.row.op === 'call_local') this.leader[insn.pc + 1] = 1;
      // A helper that calls back: its callback's returns meet the call's own path after it.
      if (insn.row.kind === 'call' && host.helpers?.get(insn.imm)?.callback) {
        this.leader[insn.pc + 1] = 1;
      }
    }
    const t = new Set<bigint>([0n, BigInt(STACK_FRAME_SIZE), -BigInt(STACK_FRAME_SIZE)]);
    if (host.context) t.add(BigInt(host.context.size));
    for (const m of host.maps?.values() ?? []) t.add(BigInt(m.valueSize));
    for (const insn of program.insns) {
      if (insn.row.kind !== 'jcond' || insn.row.source !== 'imm') continue;
      const v = insn.row.width === 32 ? BigInt(insn.imm >>> 0) : BigInt(insn.imm);
      for (const d of [-1n, 0n, 1n]) t.add(v + d);
      if (insn.imm < 0)
        for (const d of [-1n, 0n, 1n]) t.add(BigInt.asUintN(64, BigInt(insn.imm)) + d);
    }
    this.thresholds = [...t].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    this.loops = findLoops(program, this.subs.entries);
    for (const loop of this.loops) {
      this.headerLoops.set(loop.header, loop);
      this.leader[loop.header] = 1;
    }
  }

  run(): DataflowResult {
    const reachable = this.reachable();
    const s: AbstractState = {
      frames: [entryFrame()],
      packetRange: 0,
      packetRanges: NO_PACKET_RANGES,
      refs: NO_REFS,
    };
    const regs = s.frames[0].regs;
    regs[FRAME_POINTER] = stackPointer(0);
    const ctx = this.host.context;
    if (ctx) {
      regs[1] = {
        kind: 'ptr',
        region: ctx.input ? 'mem' : 'ctx',
        offset: scalarConst(0n),
        owner: 0,
        size: ctx.size,
        nullable: false,
        id: 0,
      };
      if (ctx.input) regs[2] = scalarValueOf(scalarConst(BigInt(ctx.size)));
    }
    this.propagate(0, -1, 0, s);
    while (this.queue.length > 0 && this.steps <= this.maxSteps && !this.full)
      this.block(this.pop());
    if (this.full) {
      this.current = undefined;
      this.report(
        VERIFY_TOO_COMPLEX,
        undefined,
        `the analysis stopped after storing ${this.storedFrames} frames of state in ${this.contexts.length} call contexts: the program is too complex to verify`,
      );
    } else if (this.steps > this.maxSteps) {
      this.current = undefined;
      this.report(
        VERIFY_TOO_COMPLEX,
        undefined,
        `the analysis stopped after ${this.maxSteps} steps: the program is too complex to verify`,
      );
    }
    this.checkStackDepth();
    for (const [key, st] of this.loopEntryByKey) {
      const header = key % this.slots;
      const list = this.loopEntry.get(header);
      if (list) list.push(st);
      else this.loopEntry.set(header, [st]);
    }
    return { problems: this.problems, loops: this.loops, loopEntry: this.loopEntry, reachable };
  }

  // --- worklist ---------------------------------------------------------------------------

  private pop(): number {
    // A binary min-heap: contexts in creation order, instructions in program order.
    const q = this.queue;
    const top = q[0];
    const last = q.pop()!;
    if (q.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= q.length) break;
        const c = l + 1 < q.length && q[l + 1] < q[l] ? l + 1 : l;
        if (q[c] >= last) break;
        q[i] = q[c];
        i = c;
      }
      q[i] = last;
    }
    this.queued.delete(top);
    return top;
  }

  private push(key: number): void {
    const q = this.queue;
    let i = q.length;
    q.push(key);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (q[parent] <= key) break;
      q[i] = q[parent];
      i = parent;
    }
    q[i] = key;
  }

  /** The nearest enclosing call context (skipping loop iterations). */
  private callContextOf(ctx: number): number {
    let c = ctx;
    while (this.contexts[c].header !== undefined) c = this.contexts[c].parent;
    return c;
  }

  private iterationContext(parent: number, header: number, iteration: number): number {
    const k = `i${parent}:${header}:${iteration}`;
    let id = this.contextByKey.get(k);
    if (id === undefined) {
      id = this.contexts.length;
      this.contexts.push({
        parent,
        callsite: -1,
        subs: this.contexts[parent].subs,
        header,
        iteration,
      });
      this.contextByKey.set(k, id);
    }
    return id;
  }

  /** With unrolling: the context of `to` reached from `from` (leaving, entering, repeating loops). */
  private retag(ctx: number, from: number, to: number): number {
    let c = ctx;
    for (;;) {
      const h = this.contexts[c].header;
      if (h === undefined || this.headerLoops.get(h)!.body.has(to)) break;
      c = this.contexts[c].parent;
    }
    const loop = this.headerLoops.get(to);
    if (!loop) return c;
    const top = this.contexts[c];
    if (loop.body.has(from) && top.header === to) {
      return this.iterationContext(top.parent, to, Math.min(top.iteration! + 1, this.unroll));
    }
    if (!loop.body.has(from)) return this.iterationContext(c, to, 0);
    return c;
  }

  private propagate(ctx: number, from: number, to: number, state: AbstractState): void {
    if (this.unroll > 0) ctx = this.retag(ctx, from, to);
    const key = ctx * this.slots + to;
    const loop = this.headerLoops.get(to);
    if (loop && !loop.body.has(from)) {
      const prior = this.loopEntryByKey.get(key);
      this.loopEntryByKey.set(key, prior ? joinState(prior, state, undefined, to) : state);
    }
    const old = this.states.get(key);
    let next = state;
    if (!old) {
      this.storedFrames += state.frames.length;
      if (this.storedFrames > this.maxStoredFrames) {
        this.full = true;
        return;
      }
    }
    if (old) {
      const n = (this.visits.get(key) ?? 0) + 1;
      this.visits.set(key, n);
      next = joinState(
        old,
        state,
        loop !== undefined && n >= this.widenAfter ? this.thresholds : undefined,
        to,
      );
      if (equalState(next, old)) return;
    }
    this.states.set(key, next);
    if (!this.queued.has(key)) {
      this.queued.add(key);
      this.push(key);
    }
  }

  private contextFor(
    parent: number,
    callsite: number,
    sub: number,
    callback?: Context['callback'],
  ): number {
    const k = `${parent}:${callsite}`;
    let id = this.contextByKey.get(k);
    if (id === undefined) {
      id = this.contexts.length;
      this.contexts.push({
        parent,
        callsite,
        subs: [...this.contexts[parent].subs, sub],
        ...(callback ? { callback } : {}),
      });
      this.contextByKey.set(k, id);
    }
    return id;
  }

  private reachable(): Uint8Array {
    const seen = new Uint8Array(this.slots);
    const work = [0];
    seen[0] = 1;
    while (work.length > 0) {
      const pc = work.pop()!;
      const insn = this.at[pc];
      if (!insn) continue;
      const next: number[] = [];
      if (insn.row.kind !== 'ja' && insn.row.kind !== 'exit') next.push(pc + insn.row.slots);
      const t = branchTarget(insn) ?? codeAddressTarget(insn);
      if (t !== undefined) next.push(t);
      for (const n of next) {
        if (n >= 0 && n < this.slots && !seen[n]) {
          seen[n] = 1;
          work.push(n);
        }
      }
    }
    return seen;
  }

  // --- reporting --------------------------------------------------------------------------

  private report(code: number, insn: DecodedInsn | undefined, message: string): false {
    const key = `${code}:${insn?.pc ?? -1}`;
    if (this.reported.has(key)) return false;
    this.reported.add(key);
    this.problems.push(
      createProblem(code, insn, message, this.current ? { state: formatState(this.current) } : {}),
    );
    return false;
  }

  // --- one block --------------------------------------------------------------------------

  private block(key: number): void {
    const ctx = Math.floor(key / this.slots);
    let pc = key % this.slots;
    const s = cloneState(this.states.get(key)!);
    this.current = s;
    this.currentCtx = ctx;
    for (;;) {
      const insn = this.at[pc];
      if (!insn || ++this.steps > this.maxSteps) return;
      const frame = s.frames[s.frames.length - 1];
      const kind = insn.row.kind;
      if (kind === 'ja') {
        this.propagate(ctx, pc, branchTarget(insn)!, s);
        return;
      }
      if (kind === 'jcond') {
        this.branch(ctx, insn, s);
        return;
      }
      if (kind === 'exit') {
        this.exit(ctx, insn, s);
        return;
      }
      if (insn.row.op === 'call_local') {
        this.callLocal(ctx, insn, s);
        return;
      }
      if (!this.step(insn, s, frame)) return;
      const next = pc + insn.row.slots;
      if (next >= this.slots) return;
      if (this.leader[next]) {
        this.propagate(ctx, pc, next, s);
        return;
      }
      pc = next;
    }
  }

  /** Interprets a straight-line instruction; false when it found a problem (path ends). */
  private step(insn: DecodedInsn, s: AbstractState, frame: Frame): boolean {
    switch (insn.row.kind) {
      case 'alu':
      case 'neg':
      case 'movsx':
      case 'endian':
        return this.alu(insn, s, frame);
      case 'lddw':
        return this.lddw(insn, frame);
      case 'load':
        return this.load(insn, s, frame);
      case 'store':
        return this.store(insn, s, frame);
      case 'atomic':
        return this.atomic(insn, s, frame);
      case 'call':
        return this.callHelper(insn, s, frame, insn.imm);
      case 'callx': {
        const target = this.read(insn, frame, insn.dst);
        if (!target) return false;
        const id = target.kind === 'scalar' ? scalarValue(target.value) : undefined;
        if (id === undefined) {
          return this.report(
            VERIFY_INDIRECT_CALL,
            insn,
            `callx r${insn.dst}: the target must be a known helper number, found ${formatValue(target)}`,
          );
        }
        if (this.host.helpers && !this.host.helpers.has(Number(id))) {
          return this.report(
            VERIFY_UNKNOWN_HELPER,
            insn,
            `callx r${insn.dst} calls helper ${id}, which is not registered`,
          );
        }
        return this.callHelper(insn, s, frame, Number(id));
      }
      case 'packet':
        return this.packetLoad(insn, s, frame);
      default:
        return true;
    }
  }

  // --- registers --------------------------------------------------------------------------

  /** A register's value, reporting uninitialised and mixed ones. */
  private read(insn: DecodedInsn, frame: Frame, r: number): AbstractValue | undefined {
    const v = frame.regs[r];
    if (v.kind === 'uninit') {
      const why = v.released
        ? ' (it pointed to memory a helper released, such as a submitted ring-buffer record)'
        : v.clobbered
          ? ' (a call clobbers r1-r5: write them again before reading)'
          : '';
      this.report(
        VERIFY_UNINIT_REGISTER,
        insn,
        `r${r} is read but holds no value on some path${why}`,
      );
      return undefined;
    }
    if (v.kind === 'mixed') {
      this.report(
        VERIFY_MIXED_VALUE,
        insn,
        `r${r} holds a pointer on one path and something else on another`,
      );
      return undefined;
    }
    return v;
  }

  private alu(insn: DecodedInsn, s: AbstractState, frame: Frame): boolean {
    const { row } = insn;
    let b: AbstractValue = scalarValueOf(SCALAR_UNKNOWN);
    if (row.kind === 'alu' || row.kind === 'movsx') {
      if (row.source === 'imm') b = scalarValueOf(scalarConst(BigInt(insn.imm)));
      else {
        const v = this.read(insn, frame, insn.src);
        if (!v) return false;
        b = v;
      }
    }
    const isMove = row.op === 'mov' || row.op === 'movsx';
    let a: AbstractValue = scalarValueOf(SCALAR_UNKNOWN);
    if (!isMove) {
      const v = this.read(insn, frame, insn.dst);
      if (!v) return false;
      a = v;
    }
    if (a.kind === 'ptr' || b.kind === 'ptr') {
      const r = this.pointerAlu(insn, s, a, b, isMove);
      if (!r) return false;
      frame.regs[insn.dst] = r;
      return true;
    }
    if (a.kind !== 'scalar' || b.kind !== 'scalar') return false;
    frame.regs[insn.dst] = scalarValueOf(applyAlu(row, a.value, b.value));
    return true;
  }

  private pointerAlu(
    insn: DecodedInsn,
    s: AbstractState,
    a: AbstractValue,
    b: AbstractValue,
    isMove: boolean,
  ): AbstractValue | undefined {
    const { row } = insn;
    const fail = (why: string) => {
      this.report(VERIFY_POINTER_ARITHMETIC, insn, why);
      return undefined;
    };
    if (isMove) {
      if (row.op === 'mov' && row.width === 64) return b;
      return fail(
        `${row.name} of a pointer would truncate or extend it; only a 64-bit mov copies pointers`,
      );
    }
    if (row.width !== 64) {
      // The difference of two pointers into the same memory is a number, in 32 bits too (what
      // clang writes for `ctx->data_end - ctx->data`, whose fields are 32-bit); a privileged
      // kernel (allow_ptr_leaks) accepts it as an unknown scalar.
      if (row.op === 'sub' && a.kind === 'ptr' && b.kind === 'ptr' && !a.nullable && !b.nullable) {
        const packet = (v: PointerValue) => v.region === 'packet' || v.region === 'packet_end';
        const same = a.region === b.region && a.owner === b.owner && a.region !== 'map';
        if (same || (packet(a) && packet(b))) return scalarValueOf(loadResult(4, false));
      }
      return fail(`32-bit arithmetic on a pointer (${row.name}) is not allowed`);
    }
    if (row.op !== 'add' && row.op !== 'sub') {
      return fail(`${row.op} on a pointer is not allowed; only adding or subtracting a scalar`);
    }
    if (a.kind === 'ptr' && b.kind === 'ptr') {
      if (row.op === 'add') return fail('adding two pointers is not allowed');
      const sameRegion = a.region === b.region && a.owner === b.owner && !a.nullable && !b.nullable;
      const packetSpan =
        (a.region === 'packet' || a.region === 'packet_end') &&
        (b.region === 'packet' || b.region === 'packet_end');
      if (sameRegion && a.region !== 'packet_end' && a.region !== 'map') {
        return scalarValueOf(subScalar(a.offset, b.offset));
      }
      if (packetSpan) return scalarValueOf(SCALAR_UNKNOWN);
      return fail(`subtracting pointers into different regions (${a.region} - ${b.region})`);
    }
    const [p, x] = a.kind === 'ptr' ? [a, b] : [b as PointerValue, a];
    if (a.kind !== 'ptr' && row.op === 'sub')
      return fail('subtracting a pointer from a scalar is not allowed');
    if (x.kind !== 'scalar') return undefined;
    if (p.nullable) {
      return fail(
        `arithmetic on ${REGION_NAMES[p.region]} pointer that may be null; check it against 0 first`,
      );
    }
    if (p.region === 'packet_end' || p.region === 'map') {
      return fail(`arithmetic on a pointer to ${REGION_NAMES[p.region]} is not allowed`);
    }
    const offset = row.op === 'add' ? addScalar(p.offset, x.value) : subScalar(p.offset, x.value);
    if (offset.smin < -MAX_VAR_OFF || offset.smax > MAX_VAR_OFF) {
      return fail(
        `pointer offset is not bounded (offset ${formatValue(scalarValueOf(offset))}); bound the scalar first`,
      );
    }
    if (p.region !== 'packet') return { ...p, offset, id: 0 };
    const k = scalarValue(x.value);
    // A register operand makes a new variable part even when it is known on this path, so that
    // paths (and loop iterations) where it is not still agree on the pointer's identity.
    if (k !== undefined && row.source === 'imm') {
      if (p.id === 0) return { ...p, offset };
      const step = Number(BigInt.asIntN(64, k));
      return { ...p, offset, delta: (p.delta ?? 0) + (row.op === 'add' ? step : -step) };
    }
    // A new variable part: its identity is this instruction; older pointers with it are stale.
    const id = insn.pc + 1;
    this.forgetPacketId(s, id);
    return { ...p, offset, id, delta: 0 };
  }

  /** Drops what was proven about the packet variable part `id` (a new value takes it). */
  private forgetPacketId(s: AbstractState, id: number): void {
    if (s.packetRanges.has(id)) {
      const m = new Map(s.packetRanges);
      m.delete(id);
      s.packetRanges = m;
    }
    const stale = (v: AbstractValue): AbstractValue =>
      v.kind === 'ptr' && v.region === 'packet' && v.id === id
        ? { ...v, id: 0, delta: undefined }
        : v;
    for (const f of s.frames) {
      for (let r = 0; r < f.regs.length; r++) f.regs[r] = stale(f.regs[r]);
      for (let k = 0; k < f.stack.length; k++) {
        const slot = f.stack[k];
        if (slot.kind === 'spill' && slot.value.kind === 'ptr' && slot.value.id === id) {
          f.stack[k] = { kind: 'spill', value: stale(slot.value) };
        }
      }
    }
  }

  private lddw(insn: DecodedInsn, frame: Frame): boolean {
    const imm64 = insn.imm64 ?? 0n;
    const name = insn.row.name;
    if (name === 'lddw') {
      frame.regs[insn.dst] = scalarValueOf(scalarConst(imm64));
      return true;
    }
    if (
      name === 'lddw_map_fd' ||
      name === 'lddw_map_idx' ||
      name === 'lddw_map_value_fd' ||
      name === 'lddw_map_value_idx'
    ) {
      const id = insn.imm;
      const decl = this.host.maps?.get(id);
      if (this.host.maps && !decl) {
        return this.report(VERIFY_UNKNOWN_MAP, insn, `map ${id} is not declared by the host`);
      }
      const isValue = name.startsWith('lddw_map_value');
      frame.regs[insn.dst] = {
        kind: 'ptr',
        region: isValue ? 'map_value' : 'map',
        offset: scalarConst(isValue ? BigInt.asIntN(32, imm64 >> 32n) : 0n),
        owner: id,
        size: decl ? (isValue ? decl.valueSize : 0) : 0,
        nullable: false,
        id: 0,
      };
      return true;
    }
    // A code address (a callback): the number the VM loads, its instruction index; helpers
    // declared with a `callback` call it. Variable addresses: numbers this verifier does not follow.
    const target = codeAddressTarget(insn);
    frame.regs[insn.dst] = scalarValueOf(
      target !== undefined && this.isCallbackEntry(target)
        ? scalarConst(BigInt(target))
        : SCALAR_UNKNOWN,
    );
    return true;
  }

  // --- memory -----------------------------------------------------------------------------

  /**
   * Checks an access of `size` bytes at `base + off`; returns the byte range for stack
   * accesses ([lo, hi) below the frame pointer), or true for other regions, false on a problem.
   */
  private checkAccess(
    insn: DecodedInsn,
    s: AbstractState,
    base: AbstractValue,
    reg: number,
    off: number,
    size: number,
    mode: 'read' | 'write' | 'atomic',
  ): { lo: number; hi: number; fixed: boolean } | boolean {
    if (base.kind === 'scalar') {
      return this.report(
        VERIFY_NOT_A_POINTER,
        insn,
        `r${reg} is a number, not a pointer: ${formatValue(base)}`,
      );
    }
    if (base.kind !== 'ptr') return false;
    if (base.nullable) {
      return this.report(
        VERIFY_NULL_DEREF,
        insn,
        `r${reg} may be null (${formatValue(base)}); compare it with 0 before using it`,
      );
    }
    if (base.region === 'map') {
      return this.report(
        VERIFY_NOT_A_POINTER,
        insn,
        `r${reg} points to a map object, which cannot be read or written directly`,
      );
    }
    if (base.region === 'packet_end') {
      return this.report(
        VERIFY_OUT_OF_BOUNDS,
        insn,
        `r${reg} is the packet end: it points just past the packet`,
      );
    }
    const lo = base.offset.smin + BigInt(off);
    const hi = base.offset.smax + BigInt(off) + BigInt(size);
    const fixed = base.offset.smin === base.offset.smax;
    const where = `${REGION_NAMES[base.region]}`;
    const range = fixed ? `offset ${lo}` : `offsets ${lo} to ${hi - BigInt(size)}`;
    if (
      mode === 'atomic' &&
      base.region !== 'stack' &&
      base.region !== 'map_value' &&
      base.region !== 'mem'
    ) {
      return this.report(
        VERIFY_READ_ONLY,
        insn,
        `atomic operations may only change the stack, map values or input memory, not ${where}`,
      );
    }
    switch (base.region) {
      case 'ctx': {
        if (!fixed) {
          return this.report(
            VERIFY_VARIABLE_OFFSET,
            insn,
            `context accesses need a constant offset; r${reg} has ${formatValue(base)}`,
          );
        }
        if (lo < 0n || hi > BigInt(base.size)) {
          return this.report(
            VERIFY_OUT_OF_BOUNDS,
            insn,
            `${size}-byte access at ${range} is outside the context (${base.size} bytes)`,
          );
        }
        if (mode !== 'read' && !this.host.context?.writable) {
          return this.report(VERIFY_READ_ONLY, insn, 'the context is read-only');
        }
        if (mode !== 'read') {
          const ctx = this.host.context!;
          const width = BigInt(ctx.packetFieldSize ?? 8);
          for (const field of [ctx.packetData, ctx.packetEnd]) {
            if (field !== undefined && lo < BigInt(field) + width && BigInt(field) < hi) {
              return this.report(
                VERIFY_READ_ONLY,
                insn,
                `the packet pointer field at context offset ${field} is read-only`,
              );
            }
          }
        }
        return true;
      }
      case 'stack': {
        if (base.owner >= s.frames.length) {
          return this.report(
            VERIFY_OUT_OF_BOUNDS,
            insn,
            `r${reg} points into the stack frame of a call that has returned`,
          );
        }
        if (lo < -BigInt(STACK_FRAME_SIZE) || hi > 0n) {
          return this.report(
            VERIFY_OUT_OF_BOUNDS,
            insn,
            `${size}-byte stack access at ${range} from the frame pointer is outside the frame (-${STACK_FRAME_SIZE} to 0)`,
          );
        }
        const depth = Number(-lo);
        const sub = this.contexts[this.currentCtx].subs[base.owner] ?? 0;
        if (depth > this.stackDepth[sub]) this.stackDepth[sub] = depth;
        return { lo: Number(lo), hi: Number(hi), fixed };
      }
      case 'packet': {
        if (lo < 0n) {
          return this.report(
            VERIFY_OUT_OF_BOUNDS,
            insn,
            `packet access at ${range} is before the packet's start`,
          );
        }
        const byId =
          base.id !== 0 &&
          base.delta !== undefined &&
          base.delta + off + size <= (s.packetRanges.get(base.id) ?? 0);
        if (hi > BigInt(s.packetRange) && !byId) {
          return this.report(
            VERIFY_PACKET_UNCHECKED,
            insn,
            `packet access of ${size} bytes at ${range} needs a check that data + ${hi} <= data_end (proven: ${s.packetRange} bytes)`,
          );
        }
        return true;
      }
      default: {
        if (
          mode !== 'read' &&
          base.region === 'map_value' &&
          this.host.maps?.get(base.owner)?.readOnly
        ) {
          const name = this.host.maps.get(base.owner)?.name;
          return this.report(
            VERIFY_READ_ONLY,
            insn,
            `map ${base.owner}${name ? ` (${name})` : ''} is read-only for programs: no ${mode === 'atomic' ? 'atomic operation' : 'store'} into its value`,
          );
        }
        if (lo < 0n || hi > BigInt(base.size)) {
          return this.report(
            VERIFY_OUT_OF_BOUNDS,
            insn,
            `${size}-byte access at ${range} is outside ${where} (${base.size} bytes)`,
          );
        }
        return true;
      }
    }
  }

  private readStack(
    insn: DecodedInsn,
    frame: Frame,
    lo: number,
    hi: number,
    fixed: boolean,
  ): AbstractValue | undefined {
    const size = hi - lo;
    if (fixed && size === 8 && lo % 8 === 0) {
      const slot = frame.stack[(-lo - 8) / 8];
      if (slot.kind === 'spill') return slot.value;
      if (slot.init === 0xff) return scalarValueOf(SCALAR_UNKNOWN);
      this.report(
        VERIFY_UNINIT_STACK,
        insn,
        `stack bytes fp${lo} to fp${hi} are read but not all written on some path`,
      );
      return undefined;
    }
    for (let b = lo; b < hi; b++) {
      const k = Math.floor((-b - 1) / 8);
      const slot = frame.stack[k];
      if (slot.kind === 'spill') {
        if (slot.value.kind === 'ptr') {
          this.report(
            VERIFY_PARTIAL_POINTER,
            insn,
            `reading part of a pointer spilled at fp-${(k + 1) * 8} is not allowed`,
          );
          return undefined;
        }
        continue;
      }
      const bit = b + 8 * (k + 1);
      if (((slot.init >> bit) & 1) === 0) {
        this.report(
          VERIFY_UNINIT_STACK,
          insn,
          `stack byte fp${b} is read but not written on some path`,
        );
        return undefined;
      }
    }
    return scalarValueOf(SCALAR_UNKNOWN);
  }

  private writeStack(
    frame: Frame,
    lo: number,
    hi: number,
    fixed: boolean,
    value: AbstractValue,
  ): void {
    if (fixed && hi - lo === 8 && lo % 8 === 0) {
      frame.stack[(-lo - 8) / 8] = { kind: 'spill', value };
      return;
    }
    for (let b = lo; b < hi; b++) {
      const k = Math.floor((-b - 1) / 8);
      let slot = frame.stack[k];
      if (slot.kind === 'spill')
        slot = { kind: 'bytes', init: slot.value.kind === 'scalar' ? 0xff : 0 };
      if (fixed) slot = { kind: 'bytes', init: slot.init | (1 << (b + 8 * (k + 1))) };
      frame.stack[k] = slot;
    }
  }

  private load(insn: DecodedInsn, s: AbstractState, frame: Frame): boolean {
    const base = this.read(insn, frame, insn.src);
    if (!base) return false;
    const size = insn.row.size;
    const access = this.checkAccess(insn, s, base, insn.src, insn.off, size, 'read');
    if (access === false) return false;
    const signed = insn.row.op === 'ldxs';
    let result: AbstractValue = scalarValueOf(loadResult(size, signed));
    if (typeof access === 'object') {
      const p = base as PointerValue;
      const v = this.readStack(insn, s.frames[p.owner], access.lo, access.hi, access.fixed);
      if (!v) return false;
      if (size === 8) result = v;
    } else if (base.kind === 'ptr' && base.region === 'ctx') {
      const at = Number(base.offset.smin) + insn.off;
      const ctx = this.host.context;
      if (
        ctx &&
        (at === ctx.packetData || at === ctx.packetEnd) &&
        size === (ctx.packetFieldSize ?? 8)
      ) {
        result = {
          kind: 'ptr',
          region: at === ctx.packetData ? 'packet' : 'packet_end',
          offset: scalarConst(0n),
          owner: 0,
          size: 0,
          nullable: false,
          id: 0,
        };
      }
    }
    frame.regs[insn.dst] = result;
    return true;
  }

  private store(insn: DecodedInsn, s: AbstractState, frame: Frame): boolean {
    const base = this.read(insn, frame, insn.dst);
    if (!base) return false;
    let value: AbstractValue;
    if (insn.row.source === 'imm') value = scalarValueOf(scalarConst(BigInt(insn.imm)));
    else {
      const v = this.read(insn, frame, insn.src);
      if (!v) return false;
      value = v;
    }
    const size = insn.row.size;
    const access = this.checkAccess(insn, s, base, insn.dst, insn.off, size, 'write');
    if (access === false) return false;
    if (value.kind === 'ptr') {
      if (
        value.region === 'stack' &&
        base.kind === 'ptr' &&
        base.region === 'stack' &&
        value.owner > base.owner
      ) {
        return this.report(
          VERIFY_POINTER_STORE,
          insn,
          "a pointer into a callee's stack frame may not be stored in its caller's frame, which outlives it",
        );
      }
      if (typeof access !== 'object') {
        return this.report(
          VERIFY_POINTER_STORE,
          insn,
          `storing a pointer (${formatValue(value)}) into ${REGION_NAMES[(base as PointerValue).region]} would leak it; pointers may only be spilled to the stack`,
        );
      }
      if (!access.fixed || size !== 8 || access.lo % 8 !== 0) {
        return this.report(
          VERIFY_POINTER_STORE,
          insn,
          'a pointer may only be spilled to the stack whole: 8 bytes, 8-byte aligned, at a constant offset',
        );
      }
    }
    if (typeof access === 'object') {
      const p = base as PointerValue;
      let v = value;
      if (v.kind === 'scalar' && size < 8) v = scalarValueOf(SCALAR_UNKNOWN);
      this.writeStack(s.frames[p.owner], access.lo, access.hi, access.fixed, v);
    }
    return true;
  }

  private atomic(insn: DecodedInsn, s: AbstractState, frame: Frame): boolean {
    const { row } = insn;
    const base = this.read(insn, frame, insn.dst);
    if (!base) return false;
    const src = this.read(insn, frame, insn.src);
    if (!src) return false;
    if (src.kind === 'ptr') {
      return this.report(
        VERIFY_POINTER_STORE,
        insn,
        `r${insn.src} is a pointer; atomic operations take numbers`,
      );
    }
    if (row.op === 'atomic_cmpxchg') {
      const r0 = this.read(insn, frame, 0);
      if (!r0) return false;
      if (r0.kind === 'ptr')
        return this.report(VERIFY_POINTER_STORE, insn, 'r0 is a pointer; cmpxchg compares numbers');
    }
    const access = this.checkAccess(insn, s, base, insn.dst, insn.off, row.size, 'atomic');
    if (access === false) return false;
    const p0 = base as PointerValue;
    const low = BigInt(row.size - 1);
    if (
      (p0.offset.bits.mask & low) !== 0n ||
      ((p0.offset.bits.value + BigInt(insn.off)) & low) !== 0n
    ) {
      return this.report(
        VERIFY_MISALIGNED_ATOMIC,
        insn,
        `atomic ${row.size}-byte access at offset ${formatValue(scalarValueOf(p0.offset))}${insn.off >= 0 ? '+' : ''}${insn.off} is not ${row.size}-byte aligned`,
      );
    }
    if (typeof access === 'object') {
      const p = base as PointerValue;
      const f = s.frames[p.owner];
      if (!this.readStack(insn, f, access.lo, access.hi, access.fixed)) return false;
      const slot = f.stack[Math.floor((-access.lo - 1) / 8)];
      if (slot.kind === 'spill' && slot.value.kind === 'ptr') {
        return this.report(
          VERIFY_POINTER_ARITHMETIC,
          insn,
          'atomic operation on a spilled pointer',
        );
      }
      this.writeStack(f, access.lo, access.hi, false, scalarValueOf(SCALAR_UNKNOWN));
    }
    const loaded = scalarValueOf(row.width === 32 ? scalarRange(0n, MASK32) : SCALAR_UNKNOWN);
    if (row.op === 'atomic_cmpxchg') frame.regs[0] = loaded;
    else if (row.op.startsWith('atomic_fetch') || row.op === 'atomic_xchg')
      frame.regs[insn.src] = loaded;
    return true;
  }

  private packetLoad(insn: DecodedInsn, _s: AbstractState, frame: Frame): boolean {
    const r6 = frame.regs[6];
    if (r6.kind !== 'ptr' || r6.region !== 'ctx' || r6.nullable) {
      return this.report(
        VERIFY_PACKET_LOAD_CONTEXT,
        insn,
        `legacy packet loads need the context in r6; r6 is ${formatValue(r6)}`,
      );
    }
    if (insn.row.op === 'ldind') {
      const v = this.read(insn, frame, insn.src);
      if (!v) return false;
      if (v.kind !== 'scalar')
        return this.report(
          VERIFY_POINTER_ARITHMETIC,
          insn,
          `r${insn.src} is a pointer; ldind adds it to a packet offset`,
        );
    }
    frame.regs[0] = scalarValueOf(loadResult(insn.row.size, false));
    for (let r = 1; r <= 5; r++) frame.regs[r] = CLOBBERED;
    return true;
  }

  // --- calls ------------------------------------------------------------------------------

  private callHelper(insn: DecodedInsn, s: AbstractState, frame: Frame, id: number): boolean {
    const proto = this.host.helpers?.get(id);
    let ret: AbstractValue = scalarValueOf(SCALAR_UNKNOWN);
    if (proto) {
      const r = this.checkHelperArgs(insn, s, frame, proto, id);
      if (!r) return false;
      ret = r;
      if (proto.callback && !this.callCallback(insn, s, frame, proto, ret)) return false;
      if (proto.releases !== undefined && !this.release(insn, s, frame, proto, id)) return false;
      if (proto.acquires && ret.kind === 'ptr') {
        const ref = insn.pc + 1;
        if (s.refs.includes(ref)) {
          return this.report(
            VERIFY_UNRELEASED_REFERENCE,
            insn,
            `${proto.name ?? `helper ${id}`} acquires a reference again while the one this call acquired before is not released on some path`,
          );
        }
        s.refs = [...s.refs, ref].sort((x, y) => x - y);
        ret = { ...ret, ref };
      }
    }
    for (let r = 1; r <= 5; r++) frame.regs[r] = CLOBBERED;
    frame.regs[0] = ret;
    return true;
  }

  /** A releasing helper: its argument must be a held reference; every copy of it is gone after. */
  private release(
    insn: DecodedInsn,
    s: AbstractState,
    frame: Frame,
    proto: HelperPrototype,
    id: number,
  ): boolean {
    const arg = proto.releases!;
    const v = frame.regs[arg + 1];
    const name = proto.name ?? `helper ${id}`;
    if (v.kind !== 'ptr' || !v.ref || !s.refs.includes(v.ref)) {
      return this.report(
        VERIFY_BAD_RELEASE,
        insn,
        `${name}: argument ${arg + 1} (r${arg + 1}) must be a reference a helper acquired and not released yet, found ${formatValue(v)}`,
      );
    }
    if (v.nullable) {
      return this.report(
        VERIFY_BAD_RELEASE,
        insn,
        `${name}: argument ${arg + 1} (r${arg + 1}) may be null; check it against 0 first`,
      );
    }
    if (scalarValue(v.offset) !== 0n) {
      return this.report(
        VERIFY_BAD_RELEASE,
        insn,
        `${name}: argument ${arg + 1} (r${arg + 1}) must point to the start of the acquired memory, found ${formatValue(v)}`,
      );
    }
    const ref = v.ref;
    s.refs = s.refs.filter((r) => r !== ref);
    this.dropRef(s, ref, RELEASED);
    return true;
  }

  /** Replaces every pointer holding reference `ref` (registers and spills, all frames). */
  private dropRef(s: AbstractState, ref: number, by: AbstractValue): void {
    for (const f of s.frames) {
      for (let r = 0; r < f.regs.length; r++) {
        const v = f.regs[r];
        if (v.kind === 'ptr' && v.ref === ref) f.regs[r] = by;
      }
      for (let k = 0; k < f.stack.length; k++) {
        const slot = f.stack[k];
        if (slot.kind === 'spill' && slot.value.kind === 'ptr' && slot.value.ref === ref) {
          f.stack[k] =
            by.kind === 'scalar' ? { kind: 'spill', value: by } : { kind: 'bytes', init: 0 };
        }
      }
    }
  }

  private checkHelperArgs(
    insn: DecodedInsn,
    s: AbstractState,
    frame: Frame,
    proto: HelperPrototype,
    id: number,
  ): AbstractValue | undefined {
    const name = proto.name ?? `helper ${id}`;
    const bad = (i: number, why: string) => {
      this.report(VERIFY_HELPER_ARGUMENT, insn, `${name}: argument ${i + 1} (r${i + 1}) ${why}`);
      return undefined;
    };
    let mapId: number | undefined;
    const args: AbstractValue[] = [];
    for (let i = 0; i < proto.args.length; i++) {
      const v = this.read(insn, frame, i + 1);
      if (!v) return undefined;
      args.push(v);
      if (proto.args[i] === 'map') {
        if (v.kind !== 'ptr' || v.region !== 'map')
          return bad(i, `must be a map, found ${formatValue(v)}`);
        mapId = v.owner;
      }
    }
    const decl = mapId === undefined ? undefined : this.host.maps?.get(mapId);
    // Numbers and sizes first, so that a bad size is named as such rather than as the access.
    const order = proto.args.map((_k, i) => i);
    const isMemory = (k: string) =>
      k === 'map_key' || k === 'map_value' || k === 'mem' || k === 'mem_or_null';
    order.sort((x, y) => Number(isMemory(proto.args[x])) - Number(isMemory(proto.args[y])));
    for (const i of order) {
      const kind = proto.args[i];
      const v = args[i];
      switch (kind) {
        case 'anything':
        case 'map':
          break;
        case 'scalar':
          if (v.kind !== 'scalar') return bad(i, `must be a number, found ${formatValue(v)}`);
          break;
        case 'ctx':
          if (v.kind !== 'ptr' || v.region !== 'ctx' || scalarValue(v.offset) !== 0n) {
            return bad(i, `must be the context pointer, found ${formatValue(v)}`);
          }
          break;
        case 'const_size':
          if (v.kind !== 'scalar' || scalarValue(v.value) === undefined) {
            return bad(i, `must be a known constant size, found ${formatValue(v)}`);
          }
          break;
        case 'mem_size':
          if (v.kind !== 'scalar' || v.value.umax > MAX_VAR_OFF) {
            return bad(i, `must be a bounded size, found ${formatValue(v)}`);
          }
          break;
        case 'map_key':
        case 'map_value':
        case 'mem':
        case 'mem_or_null': {
          if (kind === 'mem_or_null' && v.kind === 'scalar' && scalarValue(v.value) === 0n) break;
          if (v.kind !== 'ptr') return bad(i, `must point to memory, found ${formatValue(v)}`);
          let size = 0;
          if (kind === 'map_key') size = decl?.keySize ?? 0;
          else if (kind === 'map_value') size = decl?.valueSize ?? 0;
          else {
            const next = args[i + 1];
            if (next?.kind === 'scalar')
              size = Number(next.value.umax > MAX_VAR_OFF ? MAX_VAR_OFF : next.value.umax);
          }
          const access = this.checkAccess(insn, s, v, i + 1, 0, size, 'read');
          if (access === false) return undefined;
          if (typeof access === 'object' && size > 0) {
            if (!this.readStack(insn, s.frames[v.owner], access.lo, access.hi, access.fixed))
              return undefined;
          }
          break;
        }
      }
    }
    switch (proto.ret) {
      case 'void':
        return UNINIT;
      case 'scalar':
        return scalarValueOf(SCALAR_UNKNOWN);
      case 'map_value_or_null':
      case 'mem_or_null': {
        const id = this.freshId(s, insn.pc);
        const isMap = proto.ret === 'map_value_or_null';
        return {
          kind: 'ptr',
          region: isMap ? 'map_value' : 'mem',
          offset: scalarConst(0n),
          owner: isMap ? (mapId ?? 0) : 0,
          size: isMap ? (decl?.valueSize ?? 0) : this.retSizeOf(proto, args),
          nullable: true,
          id,
        };
      }
    }
  }

  /** Bytes of the memory a `mem_or_null` helper returns: its size argument's value, or `retSize`. */
  private retSizeOf(proto: HelperPrototype, args: readonly AbstractValue[]): number {
    const v = proto.retSizeArg === undefined ? undefined : args[proto.retSizeArg];
    if (v?.kind === 'scalar') {
      const k = scalarValue(v.value);
      if (k !== undefined && k <= MAX_VAR_OFF) return Number(k);
    }
    return proto.retSize ?? 0;
  }

  /**
   * The identity of the nullable pointer a call at `pc` returns (stable, so loops converge);
   * copies of an earlier result of the same call lose it, since they are a different pointer.
   */
  private freshId(s: AbstractState, pc: number): number {
    const id = pc + 1;
    const clear = (v: AbstractValue): AbstractValue =>
      v.kind === 'ptr' && v.id === id ? { ...v, id: 0 } : v;
    for (const f of s.frames) {
      for (let r = 0; r < f.regs.length; r++) f.regs[r] = clear(f.regs[r]);
      for (let k = 0; k < f.stack.length; k++) {
        const slot = f.stack[k];
        if (slot.kind === 'spill' && slot.value.kind === 'ptr' && slot.value.id === id) {
          f.stack[k] = { kind: 'spill', value: clear(slot.value) };
        }
      }
    }
    return id;
  }

  /** Whether `pc` starts a subprogram other than the entry: where a callback may point. */
  private isCallbackEntry(pc: number): boolean {
    return pc > 0 && pc < this.slots && this.subs.entries[this.subs.of[pc]] === pc;
  }

  /** The frame a callback starts with: its parameters from the caller's registers. */
  private callbackFrame(callback: HelperCallback, caller: Frame, depth: number): Frame {
    const callee = entryFrame();
    callback.params.forEach((p, i) => {
      if (i < 5)
        callee.regs[i + 1] =
          p === 'scalar' ? scalarValueOf(SCALAR_UNKNOWN) : caller.regs[p.arg + 1];
    });
    callee.regs[FRAME_POINTER] = stackPointer(depth);
    return callee;
  }

  /**
   * A helper call that calls back into the program: the callback runs as a local call from the
   * helper call, any number of times (its returns lead to it again and to the instruction after
   * the call; the call's own fall-through is the zero-times case).
   */
  private callCallback(
    insn: DecodedInsn,
    s: AbstractState,
    frame: Frame,
    proto: HelperPrototype,
    ret: AbstractValue,
  ): boolean {
    const callback = proto.callback!;
    const name = proto.name ?? `helper ${insn.imm}`;
    const fn = frame.regs[callback.arg + 1];
    const value = fn?.kind === 'scalar' ? scalarValue(fn.value) : undefined;
    const entry = value === undefined ? -1 : Number(value);
    if (value === undefined || value >= BigInt(this.slots) || !this.isCallbackEntry(entry)) {
      return this.report(
        VERIFY_HELPER_ARGUMENT,
        insn,
        `${name}: argument ${callback.arg + 1} (r${callback.arg + 1}) must be a function of the program (lddw of a code address), found ${fn ? formatValue(fn) : 'nothing'}`,
      );
    }
    const ctx = this.currentCtx;
    const sub = this.subs.of[entry];
    if (this.contexts[ctx].subs.includes(sub)) {
      return this.report(
        VERIFY_RECURSION,
        insn,
        `${name} calls back the subprogram at ${entry}, which is already active: recursion is not allowed`,
      );
    }
    if (s.frames.length + 1 > this.maxCallDepth) {
      return this.report(
        VERIFY_CALL_DEPTH,
        insn,
        `${name}'s callback nests ${s.frames.length + 1} frames deep; at most ${this.maxCallDepth} are allowed`,
      );
    }
    const at = cloneState(s);
    at.frames.push(this.callbackFrame(callback, frame, s.frames.length));
    const id = this.contextFor(ctx, insn.pc, sub, { entry, of: callback, ret });
    this.propagate(id, insn.pc, entry, at);
    return true;
  }

  private callLocal(ctx: number, insn: DecodedInsn, s: AbstractState): void {
    const target = branchTarget(insn)!;
    const sub = this.subs.of[target];
    const c = this.contexts[ctx];
    if (c.subs.includes(sub)) {
      this.report(
        VERIFY_RECURSION,
        insn,
        `call to the subprogram at ${target}, which is already active: recursion is not allowed`,
      );
      return;
    }
    if (s.frames.length + 1 > this.maxCallDepth) {
      this.report(
        VERIFY_CALL_DEPTH,
        insn,
        `call nests ${s.frames.length + 1} frames deep; at most ${this.maxCallDepth} are allowed`,
      );
      return;
    }
    const caller = s.frames[s.frames.length - 1];
    const callee = entryFrame();
    for (let r = 1; r <= 5; r++) callee.regs[r] = caller.regs[r];
    callee.regs[FRAME_POINTER] = stackPointer(s.frames.length);
    const next: AbstractState = {
      frames: [...s.frames, callee],
      packetRange: s.packetRange,
      packetRanges: s.packetRanges,
      refs: s.refs,
    };
    this.propagate(this.contextFor(ctx, insn.pc, sub), insn.pc, target, next);
  }

  private exit(ctx: number, insn: DecodedInsn, s: AbstractState): void {
    const frame = s.frames[s.frames.length - 1];
    const r0 = frame.regs[0];
    if (r0.kind === 'uninit' || r0.kind === 'mixed') {
      this.report(
        VERIFY_BAD_RETURN,
        insn,
        r0.kind === 'uninit'
          ? 'exit while r0 holds no value on some path'
          : 'exit while r0 holds a pointer on one path and something else on another',
      );
      return;
    }
    if (s.frames.length === 1 && s.refs.length > 0) {
      this.report(
        VERIFY_UNRELEASED_REFERENCE,
        insn,
        `exit while the reference acquired at ${s.refs.map((r) => `instruction ${r - 1}`).join(', ')} is not released on some path (submit or discard it)`,
      );
      return;
    }
    if (s.frames.length === 1) {
      if (r0.kind === 'ptr')
        this.report(
          VERIFY_BAD_RETURN,
          insn,
          `the program returns a pointer (${formatValue(r0)}), which would leak an address`,
        );
      return;
    }
    if (r0.kind === 'ptr' && r0.region === 'stack' && r0.owner === s.frames.length - 1) {
      this.report(
        VERIFY_BAD_RETURN,
        insn,
        'a subprogram returns a pointer into its own stack frame, which ends with it',
      );
      return;
    }
    const callContext = this.callContextOf(ctx);
    const c = this.contexts[callContext];
    const frames = s.frames.slice(0, -1);
    if (c.callback) {
      if (r0.kind !== 'scalar') {
        this.report(VERIFY_BAD_RETURN, insn, `a callback returns ${formatValue(r0)}, not a number`);
        return;
      }
      // Called again (the caller's registers are as at the helper call) ...
      const again = cloneState({ ...s, frames });
      const depth = again.frames.length;
      again.frames.push(this.callbackFrame(c.callback.of, again.frames[depth - 1], depth));
      this.propagate(callContext, insn.pc, c.callback.entry, again);
    }
    const caller = {
      regs: frames[frames.length - 1].regs.slice(),
      stack: frames[frames.length - 1].stack,
    };
    // ... or done: the helper returns its own value.
    caller.regs[0] = c.callback ? c.callback.ret : r0;
    for (let r = 1; r <= 5; r++) caller.regs[r] = CLOBBERED;
    frames[frames.length - 1] = caller;
    this.propagate(c.parent, c.callsite, c.callsite + 1, {
      frames,
      packetRange: s.packetRange,
      packetRanges: s.packetRanges,
      refs: s.refs,
    });
  }

  // --- branches ---------------------------------------------------------------------------

  private branch(ctx: number, insn: DecodedInsn, s: AbstractState): void {
    const { row } = insn;
    const frame = s.frames[s.frames.length - 1];
    const target = branchTarget(insn)!;
    const fall = insn.pc + 1;
    const a = this.read(insn, frame, insn.dst);
    if (!a) return;
    let b: AbstractValue;
    if (row.source === 'imm') {
      b = scalarValueOf(scalarConst(row.width === 32 ? BigInt(insn.imm >>> 0) : BigInt(insn.imm)));
    } else {
      const v = this.read(insn, frame, insn.src);
      if (!v) return;
      b = v;
    }
    const go = (taken: AbstractState | undefined, notTaken: AbstractState | undefined) => {
      if (taken) this.propagate(ctx, insn.pc, target, taken);
      if (notTaken && fall < this.slots) this.propagate(ctx, insn.pc, fall, notTaken);
    };
    if (a.kind === 'scalar' && b.kind === 'scalar') {
      const [yes, no] = refineBranch(row.op, row.width, a.value, b.value);
      const make = (o: typeof yes) => {
        if (!o) return undefined;
        const n = cloneState(s);
        const f = n.frames[n.frames.length - 1];
        f.regs[insn.dst] = scalarValueOf(o[0]);
        if (row.source === 'reg' && insn.src !== insn.dst) f.regs[insn.src] = scalarValueOf(o[1]);
        return n;
      };
      go(make(yes), make(no));
      return;
    }
    const fail = (why: string) => {
      this.report(VERIFY_POINTER_COMPARISON, insn, why);
    };
    if (row.width === 32) {
      fail('32-bit comparison of a pointer is not allowed');
      return;
    }
    const isZero = (v: AbstractValue) => v.kind === 'scalar' && scalarValue(v.value) === 0n;
    if ((a.kind === 'ptr' && isZero(b)) || (b.kind === 'ptr' && isZero(a))) {
      const p = (a.kind === 'ptr' ? a : b) as PointerValue;
      const reg = a.kind === 'ptr' ? insn.dst : insn.src;
      if (row.op !== 'jeq' && row.op !== 'jne') {
        fail(`a pointer can only be tested for null with jeq or jne, not ${row.op}`);
        return;
      }
      const nullState = p.nullable ? this.setNull(s, reg, p, true) : undefined;
      const nonNull = this.setNull(s, reg, p, false);
      if (row.op === 'jeq') go(nullState, nonNull);
      else go(nonNull, nullState);
      return;
    }
    if (a.kind === 'ptr' && b.kind === 'ptr') {
      if (a.nullable || b.nullable) {
        fail('comparing a pointer that may be null; check it against 0 first');
        return;
      }
      const pe = (x: PointerValue) => x.region === 'packet' || x.region === 'packet_end';
      if (pe(a) && pe(b)) {
        if (a.region !== b.region) {
          const dstIsPkt = a.region === 'packet';
          const p = dstIsPkt ? a : b;
          const o = Number(
            p.offset.smin < 0n ? 0n : p.offset.smin > MAX_VAR_OFF ? MAX_VAR_OFF : p.offset.smin,
          );
          // Per outcome: does it show p <= end (o bytes) or p < end (o + 1 bytes)?
          const proofs: Record<string, readonly [number, number]> = dstIsPkt
            ? {
                jgt: [-1, o],
                jge: [-1, o + 1],
                jlt: [o + 1, -1],
                jle: [o, -1],
                jeq: [o, -1],
                jne: [-1, o],
              }
            : {
                jgt: [o + 1, -1],
                jge: [o, -1],
                jlt: [-1, o],
                jle: [-1, o + 1],
                jeq: [o, -1],
                jne: [-1, o],
              };
          const [onTaken, onFall] = proofs[row.op] ?? [-1, -1];
          const withRange = (n: number) => {
            const c = cloneState(s);
            if (n > c.packetRange) c.packetRange = n;
            if (n >= 0 && p.id !== 0 && p.delta !== undefined) {
              // The same comparison, relative to the pointer's variable part.
              const m = p.delta + (n - o);
              if (m > (c.packetRanges.get(p.id) ?? 0)) {
                c.packetRanges = new Map(c.packetRanges).set(p.id, m);
              }
            }
            return c;
          };
          go(withRange(onTaken), withRange(onFall));
          return;
        }
        go(s, s);
        return;
      }
      if (a.region === b.region && a.owner === b.owner) {
        go(s, s);
        return;
      }
      fail(`comparing pointers into different regions (${a.region} and ${b.region})`);
      return;
    }
    fail(
      `comparing a pointer with a number other than 0 (${formatValue(a)} against ${formatValue(b)})`,
    );
    return;
  }

  /** The state where a nullable pointer (and its copies) is null, or where it is not. */
  private setNull(s: AbstractState, reg: number, p: PointerValue, isNull: boolean): AbstractState {
    const n = cloneState(s);
    const update = (v: AbstractValue): AbstractValue => {
      if (v.kind !== 'ptr' || !v.nullable) return v;
      if (v !== p && (p.id === 0 || v.id !== p.id)) return v;
      return isNull ? scalarValueOf(scalarConst(0n)) : { ...v, nullable: false, id: 0 };
    };
    for (const f of n.frames) {
      for (let r = 0; r < f.regs.length; r++) f.regs[r] = update(f.regs[r]);
      for (let k = 0; k < f.stack.length; k++) {
        const slot = f.stack[k];
        if (slot.kind === 'spill') {
          const v = update(slot.value);
          if (v !== slot.value) f.stack[k] = { kind: 'spill', value: v };
        }
      }
    }
    const f = n.frames[n.frames.length - 1];
    f.regs[reg] = update(p);
    // A null result acquired nothing.
    if (isNull && p.ref) {
      const ref = p.ref;
      n.refs = n.refs.filter((r) => r !== ref);
      this.dropRef(n, ref, scalarValueOf(scalarConst(0n)));
    }
    return n;
  }

  // --- whole-program limits ---------------------------------------------------------------

  private checkStackDepth(): void {
    const limit = this.limits.maxCombinedStack ?? STACK_FRAME_SIZE;
    for (let c = 1; c < this.contexts.length; c++) {
      const ctx = this.contexts[c];
      if (ctx.callsite < 0) continue;
      const total = ctx.subs.reduce((sum, sub) => sum + Math.ceil(this.stackDepth[sub] / 8) * 8, 0);
      if (total > limit) {
        const insn = this.at[ctx.callsite];
        this.current = undefined;
        this.report(
          VERIFY_STACK_DEPTH,
          insn,
          `the call chain through this call uses ${total} bytes of stack in all; at most ${limit} are allowed`,
        );
      }
    }
  }
}
