import type { FunctionGraph } from './control-flow-graph.js';
import { type ProgramModel, Trap } from './program-model.js';

/** An if-converted conditional block (see {@link convertIfThen}). */
export interface IfConversion {
  /** The slot of the one instruction of the then-block. */
  readonly thenPc: number;
  /** Whether the jump skips the then-instruction when taken (else when not taken). */
  readonly skipWhenTaken: boolean;
}

/** 64-bit operations for which 0 is a right identity: `x op 0 = x`. */
const IDENTITY_ZERO: ReadonlySet<string> = new Set(['add', 'sub', 'or', 'xor']);

/**
 * Finds if-then shapes `A: ... if (cond) goto C; B: x op= y; C:` (op a 64-bit add, sub, or, xor) (B's only
 * predecessor A, its only successor C) and rewrites the graph so that A falls into C and B is
 * unreachable; A's lowering then runs `x op= (skipped ? 0 : y)` (WebAssembly `select` off the
 * dependency chain of x) and counts B's instruction the same way, as `adc`-style code does. A
 * data-dependent branch over one instruction costs a misprediction now and then; this costs one
 * `select`. Only for counting without a budget: the
 * ALU instruction cannot fault, and nothing else in A or B can end the run between them. Returns
 * the converted blocks by id (A's).
 *
 * @example
 * convertIfThen(model, graph); // Map { 3 => { thenPc: 9, skipWhenTaken: true } }
 */
export function convertIfThen(
  model: ProgramModel,
  graph: FunctionGraph,
): Map<number, IfConversion> {
  const done = new Map<number, IfConversion>();
  const blocks = graph.blocks;
  if (blocks.some((b) => b.kind === 'switch')) return done;
  for (const a of blocks) {
    if (a.kind !== 'cond' || a.start < 0 || a.succ[0] === a.succ[1]) continue;
    for (const which of [0, 1]) {
      const b = blocks[a.succ[which]];
      const c = blocks[a.succ[1 - which]];
      if (b.start < 0 || b.start !== b.last || b.id === a.id || c.id === a.id || c.id === b.id) {
        continue;
      }
      if (b.kind !== 'jump' || b.succ[0] !== c.id || b.pred.length !== 1) continue;
      const row = model.rows[b.start];
      if (row === undefined || row.kind !== 'alu' || model.trap[b.start] !== Trap.NONE) continue;
      if (row.width !== 64 || !IDENTITY_ZERO.has(row.op) || model.dst[b.start] === 10) continue;
      // A now always continues at C; B keeps no predecessor.
      a.kind = 'jump';
      a.succ = [c.id];
      a.edgeLabel = [-1];
      b.pred = [];
      c.pred = c.pred.filter((p) => p !== b.id);
      b.succ = [];
      b.edgeLabel = [];
      done.set(a.id, { thenPc: b.start, skipWhenTaken: which === 1 });
      break;
    }
  }
  return done;
}
