/**
 * What a syntax's line parser hands to the assembler: one instruction form of the table with its
 * fields, and possibly a label whose distance goes into the offset or the immediate.
 */
import type { OpcodeRow } from '@ebpf/isa';

/** A jump or call target written as a label; resolved once every label is known. */
export interface LabelTarget {
  readonly label: string;
  readonly column: number;
  /** The field the PC-relative distance goes into: `off` (16-bit) or `imm` (32-bit). */
  readonly field: 'off' | 'imm';
}

/** One parsed instruction, before labels are resolved. */
export interface Statement {
  readonly row: OpcodeRow;
  readonly dst: number;
  readonly src: number;
  readonly off: number;
  /** Signed 32-bit immediate (for lddw, the low half of `imm64`). */
  readonly imm: number;
  /** lddw only: the 64-bit immediate, unsigned. */
  readonly imm64?: bigint;
  readonly target?: LabelTarget;
  /** 1-based column of the instruction's first token. */
  readonly column: number;
}

/** A label definition on a line. */
export interface LabelDef {
  readonly name: string;
  readonly column: number;
}

/** The fields of a row's form: its discriminator (`match`) with every other field zero. */
export function baseFields(row: OpcodeRow): { dst: number; src: number; off: number; imm: number } {
  return {
    dst: 0,
    src: row.match.src ?? 0,
    off: row.match.off ?? 0,
    imm: row.match.imm ?? 0,
  };
}
