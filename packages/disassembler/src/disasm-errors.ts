/**
 * Error codes of `@ebpf/disassembler` (range 3000-3999). Never remove, change or reorder codes.
 *
 * The text printers never throw: unknown or malformed instructions become text. Only whole-input
 * problems are errors: a byte length that is not a whole number of slots, and bad hex text.
 */
import { EbpfError, type EbpfErrorContextOf } from '@ebpf/isa';

/** The program's byte length is not a multiple of 8. */
export const DISASM_PROGRAM_LENGTH = 3001;
/** A line of the hex text form is not 16 hex digits (one 8-byte slot). */
export const DISASM_HEX_SYNTAX = 3002;

declare module '@ebpf/isa' {
  interface EbpfErrorContexts {
    [DISASM_PROGRAM_LENGTH]: { readonly byteLength: number };
    [DISASM_HEX_SYNTAX]: { readonly line: number; readonly column: number; readonly text: string };
  }
}

/** Every code of this package. */
export type DisasmErrorCode = typeof DISASM_PROGRAM_LENGTH | typeof DISASM_HEX_SYNTAX;

const names: Record<DisasmErrorCode, string> = {
  [DISASM_PROGRAM_LENGTH]: 'DISASM_PROGRAM_LENGTH',
  [DISASM_HEX_SYNTAX]: 'DISASM_HEX_SYNTAX',
};

const messages: { [C in DisasmErrorCode]: (ctx: EbpfErrorContextOf<C>) => string } = {
  [DISASM_PROGRAM_LENGTH]: (c) =>
    `program length ${c.byteLength} bytes is not a whole number of 8-byte instructions (${c.byteLength % 8} bytes left over)`,
  [DISASM_HEX_SYNTAX]: (c) =>
    `line ${c.line}, column ${c.column}: expected one instruction slot as 16 hex digits, found ${JSON.stringify(c.text)}`,
};

/** Bad input to the disassembler as a whole (never a single bad instruction: those print as text). */
export class DisasmError<C extends DisasmErrorCode = DisasmErrorCode> extends EbpfError<C> {
  constructor(code: C, context: EbpfErrorContextOf<C>) {
    const format = messages[code] as (ctx: EbpfErrorContextOf<C>) => string;
    super('decode', code, names[code], format(context), context);
  }
}
