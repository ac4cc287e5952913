import { writtenOperand } from '@ebpf/isa';
import type { FunctionGraph } from './control-flow-graph.js';
import { type ProgramModel, slotsAt, Trap } from './program-model.js';

/**
 * Check hoisting for indexed accesses (`p = base + i; load/store [p + off]`) whose index a
 * compared limit bounds, as in `for (i = 2; i < len; i++) buf[i]`.
 *
 * A register the function never writes (and a function without calls, so no helper changes a
 * region's bounds) holds the same value at every instruction as at entry. A forward dataflow over
 * the function's graph knows, per register, a fact `value <u L or value <= c` with L such an
 * invariant register and c a small constant: a taken `jlt i, L` (or an untaken `jge i, L`) gives
 * `i <u L`, `mov i, 2` gives `i <= 2`, `add i, 1` moves c, a loop's back edge joins them. An
 * access through `base + i` (`base` invariant, formed in the same block) then stays inside
 * `[base + off, base + max(L - 1, c) + off + size)`, one range known at entry. The JIT checks
 * that range once at entry: when it lies in the primary region (with the access's permission),
 * it runs a copy of the function where those accesses need no check; otherwise the ordinary,
 * fully checked copy runs. Either way every access that runs is in bounds or faults exactly where
 * the interpreter does, and the instruction count does not change.
 */

/** A proof that the access at a slot stays in `[base, base + max(limit - 1, c) + end)`. */
export interface IndexedAccess {
  /** The invariant base register. */
  readonly base: number;
  /** The invariant limit register, or -1 (then only `c` bounds the index). */
  readonly limit: number;
  /** The constant bound of the index (-1 for none). */
  readonly c: number;
  /** `off + size`: the access's end past base + index. */
  readonly end: number;
  readonly store: boolean;
  readonly size: number;
  /**
   * The register that still holds the index at the access (so the address is `base + index +
   * off`), -2 when the index is 0 (the access is through a copy of base), -1 when unknown.
   */
  readonly index: number;
}

/** Largest constant bound tracked (beyond it a register is unknown). */
const MAX_CONSTANT = 1 << 20;
/** Functions larger than this are not versioned (the copy doubles the code). */
const MAX_SLOTS = 4096;

// A fact per register: L >= 0 a limit register or -1; c >= 0 a constant bound or -1.
// TOP (nothing known): L = -2. BOTTOM (no path yet): L = -1, c = -1.
const TOP = -2;

/** Registers the instruction at `pc` writes, as a bit mask (all for calls). */
function writtenRegisters(model: ProgramModel, pc: number): number {
  const row = model.rows[pc];
  if (row === undefined || model.trap[pc] !== Trap.NONE) return 0;
  if (row.kind === 'call' || row.kind === 'callx') return 0x7ff;
  const operand = writtenOperand(row);
  let mask = operand === undefined ? 0 : 1 << model[operand][pc];
  if (row.op === 'atomic_cmpxchg' || row.kind === 'packet') mask |= 1;
  return mask;
}

/**
 * The accesses of `graph` whose checks can move to function entry, by slot (empty when none, or
 * when the function calls out, is irreducible or too large).
 */
export function findIndexedAccesses(
  model: ProgramModel,
  graph: FunctionGraph,
  rpo: Int32Array | readonly number[],
): Map<number, IndexedAccess> {
  const found = new Map<number, IndexedAccess>();
  const blocks = graph.blocks;
  let written = 0;
  let slots = 0;
  for (const b of blocks) {
    if (b.kind === 'switch') return found;
    if (b.start < 0) continue;
    for (let pc = b.start; pc <= b.last; pc += slotsAt(model, pc)) {
      const row = model.rows[pc];
      if (row !== undefined && (row.kind === 'call' || row.kind === 'callx')) return found;
      written |= writtenRegisters(model, pc);
      slots++;
    }
  }
  if (slots > MAX_SLOTS) return found;
  const invariant = (r: number) => r !== 10 && ((written >> r) & 1) === 0;
  if (![0, 1, 2, 3, 4, 5, 6, 7, 8, 9].some(invariant)) return found;

  const n = blocks.length;
  // Facts at each block's entry: 11 registers x (L, c).
  const inL = new Int32Array(n * 11).fill(-1);
  const inC = new Int32Array(n * 11).fill(-1);
  const visited = new Uint8Array(n);
  const entry = blocks.findIndex((b) => b.start === graph.entry);
  if (entry < 0) return found;
  inL.fill(TOP, entry * 11, entry * 11 + 11);
  visited[entry] = 1;
  const L = new Int32Array(11);
  const C = new Int32Array(11);
  // Block-local symbolic addresses: register = base + index, index bounded by (symL, symC).
  const symBase = new Int32Array(11);
  const symL = new Int32Array(11);
  const symC = new Int32Array(11);
  const symIdx = new Int32Array(11);

  /** Runs block `b` from its entry facts; with `record`, notes the provable accesses. */
  const transfer = (b: number, record: boolean) => {
    for (let r = 0; r < 11; r++) {
      L[r] = inL[b * 11 + r];
      C[r] = inC[b * 11 + r];
      symBase[r] = -1;
    }
    const block = blocks[b];
    if (block.start < 0) return;
    const setTop = (r: number) => {
      L[r] = TOP;
      C[r] = -1;
    };
    for (let pc = block.start; pc <= block.last; pc += slotsAt(model, pc)) {
      const row = model.rows[pc];
      if (row === undefined || model.trap[pc] !== Trap.NONE) continue;
      const d = model.dst[pc];
      const s = model.src[pc];
      if (record && (row.kind === 'load' || row.kind === 'store')) {
        const p = row.kind === 'load' ? s : d;
        const off = model.off[pc];
        const known = symL[p] !== TOP && !(symL[p] === -1 && symC[p] === -1);
        if (symBase[p] >= 0 && off >= 0 && known) {
          found.set(pc, {
            base: symBase[p],
            limit: symL[p],
            c: symC[p],
            end: off + row.size,
            store: row.kind === 'store',
            size: row.size,
            index: symIdx[p],
          });
        }
      }
      const mask = writtenRegisters(model, pc);
      if (mask === 0) continue;
      // An index register written: addresses formed from it no longer know their index.
      for (let r = 0; r < 11; r++) if (symIdx[r] >= 0 && (mask >> symIdx[r]) & 1) symIdx[r] = -1;
      if (row.kind === 'alu' && row.width === 64 && model.off[pc] === 0) {
        if (row.op === 'mov' && row.source === 'imm' && model.imm[pc] >= 0) {
          L[d] = -1;
          C[d] = Math.min(model.imm[pc], MAX_CONSTANT + 1);
          if (C[d] > MAX_CONSTANT) setTop(d);
          symBase[d] = -1;
          continue;
        }
        if (row.op === 'mov' && row.source === 'reg') {
          L[d] = L[s];
          C[d] = C[s];
          symBase[d] = symBase[s];
          symL[d] = symL[s];
          symC[d] = symC[s];
          symIdx[d] = symIdx[s];
          if (invariant(s)) {
            // d = s + 0
            symBase[d] = s;
            symL[d] = -1;
            symC[d] = 0;
            symIdx[d] = -2;
          }
          continue;
        }
        if (row.op === 'add' && row.source === 'imm') {
          const k = model.imm[pc];
          if (L[d] === -1 && C[d] >= 0 && k >= 0 && C[d] + k <= MAX_CONSTANT) C[d] += k;
          else if (!(L[d] === -1 && C[d] === -1)) setTop(d);
          symBase[d] = -1;
          continue;
        }
        if (row.op === 'add' && row.source === 'reg') {
          // base + index, from `mov d, base; add d, i` or `mov d, i; add d, base`
          let base = -1;
          let fl = TOP;
          let fc = -1;
          let index = -1;
          if (symBase[d] >= 0 && symL[d] === -1 && symC[d] === 0 && L[s] !== TOP) {
            base = symBase[d];
            fl = L[s];
            fc = C[s];
            index = s === d ? -1 : s;
          } else if (invariant(s) && L[d] !== TOP && s !== 10) {
            base = s;
            fl = L[d];
            fc = C[d];
          }
          setTop(d);
          symBase[d] = base;
          symL[d] = fl;
          symC[d] = fc;
          symIdx[d] = index;
          continue;
        }
      }
      for (let r = 0; r < 11; r++) {
        if ((mask >> r) & 1) {
          setTop(r);
          symBase[r] = -1;
        }
      }
    }
  };

  /** Joins the facts (L, C) into block `t`'s entry; true when they changed. */
  const join = (t: number, widen: boolean): boolean => {
    let changed = false;
    for (let r = 0; r < 11; r++) {
      const i = t * 11 + r;
      let l = inL[i];
      let c = inC[i];
      if (!visited[t]) {
        l = L[r];
        c = C[r];
      } else if (l === TOP || L[r] === TOP) {
        l = TOP;
      } else if (l === -1 && c === -1) {
        l = L[r];
        c = C[r];
      } else if (!(L[r] === -1 && C[r] === -1)) {
        if (l >= 0 && L[r] >= 0 && l !== L[r]) l = TOP;
        else {
          if (l < 0) l = L[r];
          if (C[r] > c) c = widen ? -1 : C[r];
          if (widen && C[r] > inC[i]) l = TOP;
        }
      }
      if (l === TOP) c = -1;
      if (l !== inL[i] || c !== inC[i]) {
        inL[i] = l;
        inC[i] = c;
        changed = true;
      }
    }
    if (!visited[t]) {
      visited[t] = 1;
      changed = true;
    }
    return changed;
  };

  /** Narrows the facts for the edge of a conditional block `b` to its successor `which`. */
  const narrow = (b: number, which: number) => {
    const block = blocks[b];
    if (block.kind !== 'cond' || block.succ[0] === block.succ[1]) return;
    const pc = block.last;
    const row = model.rows[pc];
    if (row === undefined || row.kind !== 'jcond' || row.width !== 64 || row.source !== 'reg') {
      return;
    }
    const a = model.dst[pc];
    const c = model.src[pc];
    const taken = which === 0;
    // (x, lim): x <u lim holds on this edge
    let x = -1;
    let lim = -1;
    if ((row.op === 'jlt' && taken) || (row.op === 'jge' && !taken)) [x, lim] = [a, c];
    else if ((row.op === 'jgt' && taken) || (row.op === 'jle' && !taken)) [x, lim] = [c, a];
    if (x >= 0 && invariant(lim) && x !== lim) {
      L[x] = lim;
      C[x] = -1;
    }
  };

  // Iterate to a fixed point in reverse post-order; widening on retreating edges makes the
  // constants stop growing.
  const order = blocks.map((b) => b.id).sort((p, q) => rpo[p] - rpo[q]);
  let changed = true;
  let rounds = 0;
  const saveL = new Int32Array(11);
  const saveC = new Int32Array(11);
  while (changed && rounds++ < 50) {
    changed = false;
    for (const b of order) {
      if (!visited[b]) continue;
      transfer(b, false);
      saveL.set(L);
      saveC.set(C);
      blocks[b].succ.forEach((t, k) => {
        L.set(saveL);
        C.set(saveC);
        narrow(b, k);
        if (join(t, rpo[t] <= rpo[b])) changed = true;
      });
    }
  }
  if (changed) return found;
  for (const b of order) if (visited[b]) transfer(b, true);
  return found;
}
