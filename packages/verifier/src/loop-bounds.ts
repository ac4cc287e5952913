/**
 * Proving that a loop ends: an induction register that every iteration moves the same way by a
 * constant, a test on every iteration that leaves the loop once it passes a bound, and no wrap
 * around on the way. The bound comes from the register's values where the loop is entered.
 */
import type { DecodedInsn, RowOp } from '@ebpf/isa';
import type { AbstractState } from './abstract-state.js';
import { branchTarget } from './control-flow.js';
import type { Loop } from './find-loops.js';
import { S64_MAX, S64_MIN, type Scalar, scalarConst } from './scalar.js';
import { writtenRegisters } from './structural.js';
import { U32_MAX, U64_MAX } from './tnum.js';

/** A proven bound on a loop's iterations, or why there is none. */
export type LoopBound = { readonly iterations: bigint } | { readonly reason: string };

const NEGATE: Partial<Record<RowOp, RowOp>> = {
  jeq: 'jne',
  jne: 'jeq',
  jgt: 'jle',
  jle: 'jgt',
  jge: 'jlt',
  jlt: 'jge',
  jsgt: 'jsle',
  jsle: 'jsgt',
  jsge: 'jslt',
  jslt: 'jsge',
};
const MIRROR: Partial<Record<RowOp, RowOp>> = {
  jeq: 'jeq',
  jne: 'jne',
  jgt: 'jlt',
  jlt: 'jgt',
  jge: 'jle',
  jle: 'jge',
  jsgt: 'jslt',
  jslt: 'jsgt',
  jsge: 'jsle',
  jsle: 'jsge',
};

/** Registers an instruction may change, calls included. */
function clobbered(insn: DecodedInsn): number[] {
  const k = insn.row.kind;
  if (k === 'call' || k === 'callx' || k === 'packet') return [0, 1, 2, 3, 4, 5];
  return writtenRegisters(insn);
}

/** Whether every iteration passes `pc`: no way from the header to a latch avoids it. */
function onEveryIteration(
  loop: Loop,
  pc: number,
  at: readonly (DecodedInsn | undefined)[],
): boolean {
  if (pc === loop.header) return true;
  const seen = new Set<number>([loop.header]);
  const work = [loop.header];
  while (work.length > 0) {
    const n = work.pop()!;
    if (loop.latches.includes(n)) return false;
    const insn = at[n];
    if (!insn) continue;
    const next: number[] = [];
    if (insn.row.kind !== 'ja' && insn.row.kind !== 'exit') next.push(n + insn.row.slots);
    if (insn.row.kind === 'ja' || insn.row.kind === 'jcond') next.push(branchTarget(insn)!);
    for (const m of next) {
      if (m === pc || m === loop.header || seen.has(m) || !loop.body.has(m)) continue;
      seen.add(m);
      work.push(m);
    }
  }
  return true;
}

interface Induction {
  readonly reg: number;
  readonly width: 32 | 64;
  readonly increasing: boolean;
  /** Least total step of one iteration, and greatest. */
  readonly minStep: bigint;
  readonly maxStep: bigint;
  readonly single: boolean;
}

function induction(
  loop: Loop,
  reg: number,
  width: 32 | 64,
  at: readonly (DecodedInsn | undefined)[],
  inner: readonly Loop[],
): Induction | string {
  let increasing: boolean | undefined;
  let minStep = 0n;
  let maxStep = 0n;
  let writers = 0;
  for (const pc of loop.body) {
    const insn = at[pc];
    if (!insn || !clobbered(insn).includes(reg)) continue;
    const { row } = insn;
    const alu = width === 64 ? 'ALU64' : 'ALU';
    if (
      row.kind !== 'alu' ||
      row.source !== 'imm' ||
      (row.op !== 'add' && row.op !== 'sub') ||
      row.cls !== alu
    ) {
      return `r${reg} is changed at ${pc} by something other than adding a constant`;
    }
    if (inner.some((l) => l.body.has(pc)))
      return `r${reg} is changed at ${pc} inside an inner loop`;
    const delta = BigInt(row.op === 'add' ? insn.imm : -insn.imm);
    if (delta === 0n) continue;
    const up = delta > 0n;
    if (increasing !== undefined && increasing !== up) return `r${reg} moves both up and down`;
    increasing = up;
    const mag = up ? delta : -delta;
    writers++;
    maxStep += mag;
    if (onEveryIteration(loop, pc, at)) minStep += mag;
  }
  if (increasing === undefined || minStep === 0n)
    return `r${reg} does not change on every iteration`;
  return { reg, width, increasing, minStep, maxStep, single: writers === 1 && minStep === 1n };
}

function boundFor(ind: Induction, rel: RowOp, start: Scalar, k: Scalar): bigint | undefined {
  const w = ind.width;
  const umax = w === 64 ? U64_MAX : U32_MAX;
  const fit = (s: Scalar) =>
    w === 64 || s.umax <= U32_MAX ? s : { ...s, umin: 0n, umax: U32_MAX };
  const st = fit(start);
  const kk = fit(k);
  let signed = rel === 'jsgt' || rel === 'jsge' || rel === 'jslt' || rel === 'jsle';
  if (signed && w === 32) {
    if (st.umax > U32_MAX >> 1n || kk.umax > U32_MAX >> 1n) return undefined;
    signed = false;
    rel = ({ jsgt: 'jgt', jsge: 'jge', jslt: 'jlt', jsle: 'jle' } as const)[rel as 'jsgt'];
  }
  const smax = w === 64 ? S64_MAX : U32_MAX >> 1n;
  const smin = w === 64 ? S64_MIN : -(1n << 31n);
  const { minStep, maxStep } = ind;
  const div = (n: bigint) => (n < 0n ? 0n : n / minStep) + 2n;
  if (ind.increasing) {
    if (rel === 'jgt' || rel === 'jge') {
      if (kk.umax + maxStep > umax) return undefined;
      return div(kk.umax + 1n - st.umin);
    }
    if (rel === 'jsgt' || rel === 'jsge') {
      if (kk.smax + maxStep > smax) return undefined;
      return div(kk.smax + 1n - st.smin);
    }
    if (rel === 'jeq' && ind.single && kk.umin === kk.umax && st.umax <= kk.umin) {
      return kk.umin - st.umin + 2n;
    }
    return undefined;
  }
  if (rel === 'jlt' || rel === 'jle') {
    if (kk.umin < maxStep) return undefined;
    return div(st.umax - kk.umin + 1n);
  }
  if (rel === 'jslt' || rel === 'jsle') {
    if (kk.smin - maxStep < smin) return undefined;
    return div(st.smax - kk.smin + 1n);
  }
  if (rel === 'jeq' && ind.single && kk.umin === kk.umax && st.umin >= kk.umin) {
    return st.umax - kk.umin + 2n;
  }
  return undefined;
}

/**
 * A bound on the iterations of `loop`, given the states that enter it (one per call context).
 *
 * @example
 * const b = proveLoopBound(loop, program.at, entries, new Map(loops.map((l) => [l.header, l])));
 * if ('iterations' in b) console.log(`at most ${b.iterations} iterations`);
 */
export function proveLoopBound(
  loop: Loop,
  at: readonly (DecodedInsn | undefined)[],
  entries: readonly AbstractState[],
  loopsByHeader: ReadonlyMap<number, Loop>,
): LoopBound {
  if (!loop.singleEntry)
    return { reason: 'the loop can be entered other than through its first instruction' };
  const inner: Loop[] = [];
  for (const pc of loop.body) {
    const l = loopsByHeader.get(pc);
    if (l && pc !== loop.header) inner.push(l);
  }
  const clobberedInBody = new Set<number>();
  for (const pc of loop.body)
    if (at[pc]) for (const r of clobbered(at[pc]!)) clobberedInBody.add(r);
  let reason = 'no test that leaves the loop runs on every iteration';
  let best: bigint | undefined;
  for (const pc of [...loop.body].sort((a, b) => a - b)) {
    const insn = at[pc];
    if (insn?.row.kind !== 'jcond') continue;
    const t = branchTarget(insn)!;
    const exitOnTaken = !loop.body.has(t);
    const exitOnFall = !loop.body.has(pc + 1);
    if (exitOnTaken === exitOnFall) continue;
    if (!onEveryIteration(loop, pc, at)) continue;
    if (inner.some((l) => l.body.has(pc))) continue;
    const rel0 = exitOnTaken ? insn.row.op : NEGATE[insn.row.op];
    if (!rel0) continue;
    const width = insn.row.width;
    const sides: Array<[number, number | undefined, RowOp]> = [
      [insn.dst, insn.row.source === 'reg' ? insn.src : undefined, rel0],
    ];
    if (insn.row.source === 'reg' && MIRROR[rel0]) sides.push([insn.src, insn.dst, MIRROR[rel0]!]);
    for (const [reg, other, rel] of sides) {
      if (other !== undefined && clobberedInBody.has(other)) {
        reason = `the bound r${other} of the test at ${pc} changes inside the loop`;
        continue;
      }
      const ind = induction(loop, reg, width, at, inner);
      if (typeof ind === 'string') {
        reason = ind;
        continue;
      }
      let worst = 0n;
      let ok = true;
      for (const st of entries) {
        const regs = st.frames[st.frames.length - 1].regs;
        const start = regs[reg];
        const kv = other === undefined ? undefined : regs[other];
        const k =
          other === undefined
            ? scalarConst(width === 32 ? BigInt(insn.imm >>> 0) : BigInt(insn.imm))
            : kv?.kind === 'scalar'
              ? kv.value
              : undefined;
        if (start.kind !== 'scalar' || !k) {
          ok = false;
          reason = `r${reg} or its bound is not a known number when the loop starts`;
          break;
        }
        const n = boundFor(ind, rel, start.value, k);
        if (n === undefined) {
          ok = false;
          reason = `r${reg} could wrap around or never reach the bound of the test at ${pc}`;
          break;
        }
        if (n > worst) worst = n;
      }
      if (ok && (best === undefined || worst < best)) best = worst;
    }
  }
  return best === undefined ? { reason } : { iterations: best };
}
