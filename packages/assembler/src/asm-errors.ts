/**
 * Error codes of `@ebpf/assembler` (range 2000-2999). Never remove, change or reorder codes: add
 * new ones at the end.
 */
import { EbpfError, type EbpfErrorContextOf } from '@ebpf/isa';

/** A character that starts no token (`@`, a stray quote...). */
export const ASM_UNEXPECTED_CHARACTER = 2001;
/** A malformed number literal (`0x`, `12ab`). */
export const ASM_BAD_NUMBER = 2002;
/** A mnemonic (or LLVM statement shape) the syntax does not know. */
export const ASM_UNKNOWN_MNEMONIC = 2003;
/** A register that does not exist (`r11`, `%r16`, `w12`). */
export const ASM_UNKNOWN_REGISTER = 2004;
/** Too many or too few operands. */
export const ASM_OPERAND_COUNT = 2005;
/** An operand of the wrong kind (an immediate where a register must stand, and so on). */
export const ASM_OPERAND_KIND = 2006;
/** An immediate that does not fit its field. */
export const ASM_IMM_RANGE = 2007;
/** A memory or jump offset literal that does not fit the signed 16-bit field. */
export const ASM_OFFSET_RANGE = 2008;
/** A jump or call names a label that is defined nowhere. */
export const ASM_UNDEFINED_LABEL = 2009;
/** A label defined twice. */
export const ASM_DUPLICATE_LABEL = 2010;
/** A label is too far away for the jump's offset field. */
export const ASM_JUMP_RANGE = 2011;
/** Text that does not follow the syntax (a missing bracket, a stray token). */
export const ASM_SYNTAX = 2012;
/** Operands that must agree do not (LLVM's `w1 += r2`, `r1 = xchg_64(r2 + 0, r3)`). */
export const ASM_REGISTER_MISMATCH = 2013;
/** An assembler directive (`.something`) the assembler does not support. */
export const ASM_UNKNOWN_DIRECTIVE = 2014;
/** More instruction slots than a program may have. */
export const ASM_PROGRAM_TOO_LONG = 2015;
/** A malformed bpf_conformance `.data` file. */
export const ASM_BAD_DATA_FILE = 2016;
/** An option the assembler does not know (`syntax: 'gas'`). */
export const ASM_BAD_OPTION = 2017;

/** Where an error points: 1-based line and column, and the source line itself. */
export interface AsmPosition {
  readonly line: number;
  readonly column: number;
  readonly source: string;
}

declare module '@ebpf/isa' {
  interface EbpfErrorContexts {
    [ASM_UNEXPECTED_CHARACTER]: AsmPosition & { readonly character: string };
    [ASM_BAD_NUMBER]: AsmPosition & { readonly text: string };
    [ASM_UNKNOWN_MNEMONIC]: AsmPosition & { readonly mnemonic: string };
    [ASM_UNKNOWN_REGISTER]: AsmPosition & { readonly register: string };
    [ASM_OPERAND_COUNT]: AsmPosition & {
      readonly mnemonic: string;
      readonly expected: number;
      readonly found: number;
    };
    [ASM_OPERAND_KIND]: AsmPosition & {
      readonly expected: string;
      readonly found: string;
    };
    [ASM_IMM_RANGE]: AsmPosition & {
      readonly value: bigint;
      readonly min: bigint;
      readonly max: bigint;
    };
    [ASM_OFFSET_RANGE]: AsmPosition & { readonly value: bigint };
    [ASM_UNDEFINED_LABEL]: AsmPosition & { readonly label: string };
    [ASM_DUPLICATE_LABEL]: AsmPosition & { readonly label: string; readonly firstLine: number };
    [ASM_JUMP_RANGE]: AsmPosition & {
      readonly label: string;
      readonly distance: number;
      readonly bits: 16 | 32;
    };
    [ASM_SYNTAX]: AsmPosition & { readonly expected: string; readonly found: string };
    [ASM_REGISTER_MISMATCH]: AsmPosition & { readonly expected: string; readonly found: string };
    [ASM_UNKNOWN_DIRECTIVE]: AsmPosition & { readonly directive: string };
    [ASM_PROGRAM_TOO_LONG]: AsmPosition & { readonly slots: number; readonly max: number };
    [ASM_BAD_DATA_FILE]: AsmPosition & { readonly problem: string };
    [ASM_BAD_OPTION]: AsmPosition & { readonly option: string; readonly value: string };
  }
}

/** Every code of this package. */
export type AsmErrorCode =
  | typeof ASM_UNEXPECTED_CHARACTER
  | typeof ASM_BAD_NUMBER
  | typeof ASM_UNKNOWN_MNEMONIC
  | typeof ASM_UNKNOWN_REGISTER
  | typeof ASM_OPERAND_COUNT
  | typeof ASM_OPERAND_KIND
  | typeof ASM_IMM_RANGE
  | typeof ASM_OFFSET_RANGE
  | typeof ASM_UNDEFINED_LABEL
  | typeof ASM_DUPLICATE_LABEL
  | typeof ASM_JUMP_RANGE
  | typeof ASM_SYNTAX
  | typeof ASM_REGISTER_MISMATCH
  | typeof ASM_UNKNOWN_DIRECTIVE
  | typeof ASM_PROGRAM_TOO_LONG
  | typeof ASM_BAD_DATA_FILE
  | typeof ASM_BAD_OPTION;

const names: Record<AsmErrorCode, string> = {
  [ASM_UNEXPECTED_CHARACTER]: 'ASM_UNEXPECTED_CHARACTER',
  [ASM_BAD_NUMBER]: 'ASM_BAD_NUMBER',
  [ASM_UNKNOWN_MNEMONIC]: 'ASM_UNKNOWN_MNEMONIC',
  [ASM_UNKNOWN_REGISTER]: 'ASM_UNKNOWN_REGISTER',
  [ASM_OPERAND_COUNT]: 'ASM_OPERAND_COUNT',
  [ASM_OPERAND_KIND]: 'ASM_OPERAND_KIND',
  [ASM_IMM_RANGE]: 'ASM_IMM_RANGE',
  [ASM_OFFSET_RANGE]: 'ASM_OFFSET_RANGE',
  [ASM_UNDEFINED_LABEL]: 'ASM_UNDEFINED_LABEL',
  [ASM_DUPLICATE_LABEL]: 'ASM_DUPLICATE_LABEL',
  [ASM_JUMP_RANGE]: 'ASM_JUMP_RANGE',
  [ASM_SYNTAX]: 'ASM_SYNTAX',
  [ASM_REGISTER_MISMATCH]: 'ASM_REGISTER_MISMATCH',
  [ASM_UNKNOWN_DIRECTIVE]: 'ASM_UNKNOWN_DIRECTIVE',
  [ASM_PROGRAM_TOO_LONG]: 'ASM_PROGRAM_TOO_LONG',
  [ASM_BAD_DATA_FILE]: 'ASM_BAD_DATA_FILE',
  [ASM_BAD_OPTION]: 'ASM_BAD_OPTION',
};

const messages: { [C in AsmErrorCode]: (ctx: EbpfErrorContextOf<C>) => string } = {
  [ASM_UNEXPECTED_CHARACTER]: (c) => `unexpected character ${JSON.stringify(c.character)}`,
  [ASM_BAD_NUMBER]: (c) => `malformed number '${c.text}'`,
  [ASM_UNKNOWN_MNEMONIC]: (c) => `unknown mnemonic '${c.mnemonic}'`,
  [ASM_UNKNOWN_REGISTER]: (c) => `unknown register '${c.register}' (registers are r0-r10)`,
  [ASM_OPERAND_COUNT]: (c) =>
    `'${c.mnemonic}' takes ${c.expected} operand${c.expected === 1 ? '' : 's'}, found ${c.found}`,
  [ASM_OPERAND_KIND]: (c) => `expected ${c.expected}, found ${c.found}`,
  [ASM_IMM_RANGE]: (c) => `immediate ${c.value} out of range (${c.min} to ${c.max})`,
  [ASM_OFFSET_RANGE]: (c) => `offset ${c.value} does not fit a signed 16-bit field`,
  [ASM_UNDEFINED_LABEL]: (c) => `undefined label '${c.label}'`,
  [ASM_DUPLICATE_LABEL]: (c) => `label '${c.label}' already defined on line ${c.firstLine}`,
  [ASM_JUMP_RANGE]: (c) =>
    `label '${c.label}' is ${c.distance} instructions away, beyond a signed ${c.bits}-bit offset`,
  [ASM_SYNTAX]: (c) => `expected ${c.expected}, found ${c.found}`,
  [ASM_REGISTER_MISMATCH]: (c) => `expected ${c.expected}, found ${c.found}`,
  [ASM_UNKNOWN_DIRECTIVE]: (c) => `unsupported directive '${c.directive}'`,
  [ASM_PROGRAM_TOO_LONG]: (c) =>
    `program has ${c.slots} instruction slots; at most ${c.max} allowed`,
  [ASM_BAD_DATA_FILE]: (c) => c.problem,
  [ASM_BAD_OPTION]: (c) => `bad option ${c.option}: ${JSON.stringify(c.value)}`,
};

/** The two lines under a message: the source line and a caret under the column. */
function excerpt(source: string, column: number): string {
  const shown = source.replace(/\t/g, ' ');
  return `\n  ${shown}\n  ${' '.repeat(Math.max(0, column - 1))}^`;
}

/**
 * Text the assembler cannot turn into bytes. `line` and `column` are 1-based; the message ends with
 * the offending line and a caret under the column.
 *
 * @example
 * try { assemble('mov r11, 1'); } catch (e) {
 *   if (isEbpfError(e, ASM_UNKNOWN_REGISTER)) console.log(e.line, e.column); // 1 5
 * }
 */
export class AsmError<C extends AsmErrorCode = AsmErrorCode> extends EbpfError<C> {
  /** 1-based line of the error. */
  readonly line: number;
  /** 1-based column of the error. */
  readonly column: number;

  constructor(code: C, context: EbpfErrorContextOf<C>, pc?: number) {
    const format = messages[code] as (ctx: EbpfErrorContextOf<C>) => string;
    const ctx = context as unknown as AsmPosition;
    const where = `line ${ctx.line}, column ${ctx.column}: `;
    const tail = ctx.source === '' ? '' : excerpt(ctx.source, ctx.column);
    super('assemble', code, names[code], `${where}${format(context)}${tail}`, context, { pc });
    this.line = ctx.line;
    this.column = ctx.column;
  }
}
