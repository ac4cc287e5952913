import type { OpcodeRow } from './opcode-table.js';

/**
 * One instruction's fields, as they stand in its slot. `imm` is the signed 32-bit immediate;
 * `lddw` also carries its full 64-bit value in `imm64` (unsigned), of which `imm` is the low half.
 */
export interface Insn {
  readonly opcode: number;
  /** Destination register number, 0-15 as encoded (r0-r10 are valid registers). */
  readonly dst: number;
  /** Source register number, 0-15 as encoded. */
  readonly src: number;
  /** Signed 16-bit offset. */
  readonly off: number;
  /** Signed 32-bit immediate. */
  readonly imm: number;
  /** lddw only: the 64-bit immediate, as an unsigned value. */
  readonly imm64?: bigint;
}

/** An instruction decoded from a program: its fields, its form, and where it stands. */
export interface DecodedInsn extends Insn {
  readonly row: OpcodeRow;
  /** Index of the instruction's first slot in the program. */
  readonly pc: number;
}

/** The raw fields of one 8-byte slot. */
export interface RawSlot {
  readonly opcode: number;
  readonly dst: number;
  readonly src: number;
  readonly off: number;
  readonly imm: number;
}
