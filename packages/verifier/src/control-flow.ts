/**
 * Control flow of a decoded program: where each instruction can go next, the subprograms that
 * local calls delimit, and the basic blocks the dataflow verifier walks.
 */
import { branchTarget, type DecodedInsn, fallsThrough as rowFallsThrough } from '@ebpf/isa';
import type { DecodedProgram } from './decode-program.js';

export { branchTarget };

/** Whether control can go on to the next instruction (after a local call returns, too). */
export function fallsThrough(insn: DecodedInsn): boolean {
  return rowFallsThrough(insn.row);
}

/** Whether the instruction jumps within its subprogram (a ja or a conditional jump). */
export function isJump(insn: DecodedInsn): boolean {
  return insn.row.kind === 'ja' || insn.row.kind === 'jcond';
}

/**
 * The function an `lddw` of a code address (src 4, `BPF_PSEUDO_FUNC`, a callback for helpers
 * such as `bpf_loop`) names: the slot after the `lddw`'s first slot plus its imm, as the kernel
 * reads it; `undefined` for every other instruction.
 */
export function codeAddressTarget(insn: DecodedInsn): number | undefined {
  return insn.row.name === 'lddw_code_addr' ? insn.pc + 1 + insn.imm : undefined;
}

/**
 * Subprograms: the entry slots (0, every valid local-call target and every valid code address
 * a callback `lddw` names), sorted.
 */
export interface Subprograms {
  readonly entries: readonly number[];
  /** Index of the subprogram each slot belongs to. */
  readonly of: Int32Array;
  /** The slot after the last of subprogram `i`. */
  end(i: number): number;
}

/** Finds the subprograms of a program from its local-call targets and callback addresses that are `program.at`-valid slots. */
export function findSubprograms(program: DecodedProgram): Subprograms {
  const set = new Set<number>([0]);
  for (const insn of program.insns) {
    const t = insn.row.op === 'call_local' ? branchTarget(insn)! : codeAddressTarget(insn);
    if (t !== undefined && program.at[t] !== undefined) set.add(t);
  }
  const entries = [...set].sort((a, b) => a - b);
  const of = new Int32Array(program.slots);
  for (let i = 0; i < entries.length; i++) {
    const end = i + 1 < entries.length ? entries[i + 1] : program.slots;
    of.fill(i, entries[i], end);
  }
  return {
    entries,
    of,
    end: (i) => (i + 1 < entries.length ? entries[i + 1] : program.slots),
  };
}

/**
 * The successors of an instruction inside its subprogram (a local call's successor is the
 * instruction after it). Targets outside the program are left out; callers check them.
 */
export function successorsOf(insn: DecodedInsn, slots: number): number[] {
  const out: number[] = [];
  const t = isJump(insn) ? branchTarget(insn) : undefined;
  if (t !== undefined && t >= 0 && t < slots) out.push(t);
  if (fallsThrough(insn)) {
    const next = insn.pc + insn.row.slots;
    if (next < slots && next !== t) out.push(next);
  }
  return out;
}
