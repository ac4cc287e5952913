/**
 * Basic blocks and the control-flow graph of each function of a program. A function is the code
 * reachable from an entry (slot 0, or the target of a local call) without following calls; the
 * same slots may belong to several functions, and each gets its own copy.
 *
 * Control may reach two places that are no instruction: the slot just past the end, and the
 * second half of an `lddw`. The interpreter counts such a slot as an instruction and then raises
 * VM_BAD_JUMP there, so each becomes a synthetic `bad-jump` block that does the same. Jumps
 * farther out trap at the jump itself (see `program-model.ts`).
 */
import { type ProgramModel, slotsAt, Trap, targetAt } from './program-model.js';

/** How a block ends. */
export type TerminatorKind =
  /** `exit`: return. */
  | 'exit'
  /** Unconditional jump (or falling through) to `succ[0]`. */
  | 'jump'
  /** Conditional jump: `succ[0]` when taken, `succ[1]` otherwise. */
  | 'cond'
  /** The last instruction traps (unknown opcode, bad register, bad target...). */
  | 'fault'
  /** A synthetic block: the pseudo-instruction at `badTarget` counts, then raises VM_BAD_JUMP. */
  | 'bad-jump'
  /** A synthetic dispatcher for an irreducible loop: `succ[label]`. */
  | 'switch';

/** One basic block of a function's graph. */
export interface Block {
  /** Index in the function's `blocks`. */
  readonly id: number;
  /** First slot, or -1 for synthetic blocks. */
  readonly start: number;
  /** Slot of the last instruction (the terminator when there is one), or -1. */
  readonly last: number;
  kind: TerminatorKind;
  /** Successor block ids. */
  succ: number[];
  /** For each successor: the dispatcher label to set on that edge, or -1. */
  edgeLabel: number[];
  /** Predecessor block ids (one per edge). */
  pred: number[];
  /** For `bad-jump`: the slot control went to, and why. */
  badTarget: number;
  badReason: 'lddw-tail' | 'fell-off';
}

/** One function's graph. */
export interface FunctionGraph {
  /** Slot of the entry instruction. */
  readonly entry: number;
  readonly blocks: Block[];
}

/** Whether the instruction at `pc` ends a basic block: a jump, an exit, or a trap. */
function endsBlock(model: ProgramModel, pc: number): boolean {
  if (model.trap[pc] !== Trap.NONE) return true;
  const row = model.rows[pc]!;
  return row.kind === 'ja' || row.kind === 'jcond' || row.kind === 'exit';
}

/** Whether a local function may start at `pc`: inside the program and not an `lddw` half. */
export function isValidTarget(model: ProgramModel, pc: number): boolean {
  return pc >= 0 && pc < model.length && model.tail[pc] === 0;
}

/**
 * Block leaders for the whole program: slot 0, jump and call targets, and every slot after a
 * block-ending instruction. Returns a byte per slot (one more for the slot past the end).
 */
export function findLeaders(model: ProgramModel): Uint8Array {
  const leaders = new Uint8Array(model.length + 1);
  leaders[0] = 1;
  for (let pc = 0; pc < model.length; pc += slotsAt(model, pc)) {
    const row = model.rows[pc];
    if (model.trap[pc] === Trap.NONE && row !== undefined) {
      if (row.kind === 'ja' || row.kind === 'jcond' || row.op === 'call_local') {
        leaders[targetAt(model, pc)] = 1;
      }
    }
    if (endsBlock(model, pc)) leaders[pc + slotsAt(model, pc)] = 1;
  }
  return leaders;
}

/**
 * The graph of the function entered at `entry` (a valid target): its reachable blocks, block 0
 * the entry.
 */
export function buildFunctionGraph(
  model: ProgramModel,
  leaders: Uint8Array,
  entry: number,
): FunctionGraph {
  const blocks: Block[] = [];
  const byStart = new Map<number, number>();
  const newBlock = (start: number, last: number, kind: TerminatorKind): Block => {
    const b: Block = {
      id: blocks.length,
      start,
      last,
      kind,
      succ: [],
      edgeLabel: [],
      pred: [],
      badTarget: -1,
      badReason: 'fell-off',
    };
    blocks.push(b);
    return b;
  };
  const work: number[] = [];
  const blockAt = (start: number): number => {
    let id = byStart.get(start);
    if (id === undefined) {
      let pc = start;
      for (;;) {
        if (endsBlock(model, pc)) break;
        const next = pc + slotsAt(model, pc);
        if (next >= model.length || leaders[next] === 1) break;
        pc = next;
      }
      id = newBlock(start, pc, 'jump').id;
      byStart.set(start, id);
      work.push(id);
    }
    return id;
  };
  const badJump = (target: number, reason: Block['badReason']): number => {
    let id = byStart.get(target);
    if (id === undefined) {
      const b = newBlock(-1, -1, 'bad-jump');
      b.badTarget = target;
      b.badReason = reason;
      id = b.id;
      byStart.set(target, id);
    }
    return id;
  };
  const edgeTo = (target: number): number => {
    if (target >= model.length) return badJump(target, 'fell-off');
    if (model.tail[target] === 1) return badJump(target, 'lddw-tail');
    return blockAt(target);
  };
  blockAt(entry);
  while (work.length > 0) {
    const b = blocks[work.pop()!];
    const pc = b.last;
    const row = model.rows[pc];
    const next = pc + slotsAt(model, pc);
    if (model.trap[pc] !== Trap.NONE || row === undefined) {
      b.kind = 'fault';
    } else if (row.kind === 'exit') {
      b.kind = 'exit';
    } else if (row.kind === 'ja') {
      b.kind = 'jump';
      b.succ.push(edgeTo(targetAt(model, pc)));
    } else if (row.kind === 'jcond') {
      b.kind = 'cond';
      b.succ.push(edgeTo(targetAt(model, pc)), edgeTo(next));
    } else {
      b.kind = 'jump';
      b.succ.push(edgeTo(next));
    }
  }
  for (const b of blocks) {
    b.edgeLabel = b.succ.map(() => -1);
    for (const s of b.succ) blocks[s].pred.push(b.id);
  }
  return { entry, blocks };
}

/**
 * Entry slots of every local function, slot 0 first: the valid targets of local calls. Calls to
 * the slot past the end or into an `lddw` half are not functions (the call lowering handles them).
 */
export function findFunctionEntries(model: ProgramModel): number[] {
  const entries = [0];
  const seen = new Set(entries);
  for (let pc = 0; pc < model.length; pc += slotsAt(model, pc)) {
    const row = model.rows[pc];
    if (row !== undefined && row.op === 'call_local' && model.trap[pc] === Trap.NONE) {
      const t = targetAt(model, pc);
      if (isValidTarget(model, t) && !seen.has(t)) {
        seen.add(t);
        entries.push(t);
      }
    }
  }
  return entries;
}
