/**
 * Loops of a program: back edges found by a depth-first walk of each subprogram, and the
 * natural loop (header plus body) each header closes.
 */
import { successorsOf } from './control-flow.js';
import type { DecodedProgram } from './decode-program.js';

/** One loop: every back edge into `header`, and the instructions of its body. */
export interface Loop {
  readonly header: number;
  /** Instructions whose edge back to the header closes the loop. */
  readonly latches: readonly number[];
  /** The body, header included. */
  readonly body: ReadonlySet<number>;
  /** Whether control enters the body only through the header. */
  readonly singleEntry: boolean;
}

/**
 * Finds the loops reachable from `entries` (the subprogram entries).
 *
 * @example
 * findLoops(decodeProgram(bytes), [0]).map((l) => l.header);
 */
export function findLoops(program: DecodedProgram, entries: readonly number[]): Loop[] {
  const { slots, at } = program;
  const state = new Uint8Array(slots); // 0 new, 1 on the stack, 2 done
  const succ: number[][] = new Array(slots);
  const preds: number[][] = new Array(slots);
  const backEdges = new Map<number, number[]>();
  for (const entry of entries) {
    if (state[entry] !== 0 || !at[entry]) continue;
    const stack: Array<[number, number]> = [[entry, 0]];
    state[entry] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const pc = top[0];
      if (!succ[pc]) succ[pc] = at[pc] ? successorsOf(at[pc], slots).filter((s) => at[s]) : [];
      const list = succ[pc];
      if (top[1] < list.length) {
        const s = list[top[1]++];
        if (preds[s]) preds[s].push(pc);
        else preds[s] = [pc];
        if (state[s] === 0) {
          state[s] = 1;
          stack.push([s, 0]);
        } else if (state[s] === 1) {
          const list2 = backEdges.get(s);
          if (list2) list2.push(pc);
          else backEdges.set(s, [pc]);
        }
      } else {
        state[pc] = 2;
        stack.pop();
      }
    }
  }
  const loops: Loop[] = [];
  for (const [header, latches] of [...backEdges].sort((a, b) => a[0] - b[0])) {
    const body = new Set<number>([header]);
    const work = [...latches];
    for (const l of latches) body.add(l);
    while (work.length > 0) {
      const pc = work.pop()!;
      if (pc === header) continue;
      for (const p of preds[pc] ?? []) {
        if (!body.has(p)) {
          body.add(p);
          work.push(p);
        }
      }
    }
    let singleEntry = true;
    for (const pc of body) {
      if (pc === header) continue;
      if (entries.includes(pc)) singleEntry = false;
      for (const p of preds[pc] ?? []) if (!body.has(p)) singleEntry = false;
    }
    loops.push({ header, latches, body, singleEntry });
  }
  return loops;
}
