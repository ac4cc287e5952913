/**
 * What an instruction does to control flow and to registers, read off its row: every consumer
 * (disassembler labels, verifiers' control-flow graphs, the JIT's structuring, the builder's
 * labels, the ELF linker) asks here instead of listing opcodes again.
 */
import type { OpcodeRow } from './opcode-table.js';

/**
 * The field that holds a PC-relative distance: the offset of `ja` and the conditional jumps, the
 * immediate of `ja32` and of a local call. `undefined` for instructions that do not branch
 * (helper calls, `callx` and `exit` included).
 */
export function branchField(row: OpcodeRow): 'off' | 'imm' | undefined {
  if (row.kind === 'ja' || row.kind === 'jcond') return row.uses.includes('off') ? 'off' : 'imm';
  if (row.op === 'call_local') return 'imm';
  return undefined;
}

/**
 * The slot a jump or local call goes to, counted from the next slot (`ja +0` falls through), or
 * `undefined` when the instruction does not branch.
 *
 * @example
 * branchTarget(decodeAt(bytes, 4)); // 2 for `ja -3` at slot 4
 */
export function branchTarget(insn: {
  readonly row: OpcodeRow;
  readonly pc: number;
  readonly off: number;
  readonly imm: number;
}): number | undefined {
  const field = branchField(insn.row);
  return field === undefined ? undefined : insn.pc + 1 + insn[field];
}

/** Whether execution can go on to the next instruction: not after `ja`/`ja32` or `exit`. */
export function fallsThrough(row: OpcodeRow): boolean {
  return row.kind !== 'ja' && row.kind !== 'exit';
}

/**
 * The register operand a form writes, which therefore must never be r10: `dst` for ALU results,
 * loads and lddw; `src` for atomics that fetch the old value into it (the fetch forms and xchg).
 * Implicit writes are not operands: calls and packet loads write r0, cmpxchg writes r0.
 */
export function writtenOperand(row: OpcodeRow): 'dst' | 'src' | undefined {
  switch (row.kind) {
    case 'alu':
    case 'neg':
    case 'movsx':
    case 'endian':
    case 'load':
    case 'lddw':
      return 'dst';
    case 'atomic':
      return row.op.startsWith('atomic_fetch_') || row.op === 'atomic_xchg' ? 'src' : undefined;
    default:
      return undefined;
  }
}
