/**
 * Error codes of `@ebpf/builder` (range 4000-4999). Never remove, change or reorder codes: add
 * new ones at the end.
 */
import { describePc, EbpfError, type EbpfErrorContextOf } from '@ebpf/isa';

/** A register operand that is not `r0`..`r10`. */
export const BUILDER_INVALID_REGISTER = 4001;
/** An immediate (32-bit, or lddw's 64-bit) that does not fit its field. */
export const BUILDER_IMMEDIATE_RANGE = 4002;
/** A memory or jump offset given as a number that does not fit the signed 16-bit field. */
export const BUILDER_OFFSET_RANGE = 4003;
/** A label defined twice. */
export const BUILDER_DUPLICATE_LABEL = 4004;
/** A jump, local call or code address that names a label never defined. */
export const BUILDER_UNDEFINED_LABEL = 4005;
/** A label too far from the instruction that refers to it for the field that holds the distance. */
export const BUILDER_JUMP_RANGE = 4006;
/** An instruction that would write the read-only frame pointer r10. */
export const BUILDER_WRITES_FRAME_POINTER = 4007;
/** `emit` with a name that is no form of the instruction table. */
export const BUILDER_UNKNOWN_FORM = 4008;
/** An operand that is missing, not used by the form, or of the wrong type. */
export const BUILDER_BAD_OPERAND = 4009;
/** A label name that is empty, not a string, or a register name. */
export const BUILDER_INVALID_LABEL = 4010;
/** A program longer than the toolkit accepts (`MAX_PROGRAM_INSNS` slots). */
export const BUILDER_PROGRAM_TOO_LONG = 4011;
/** A form outside the CPU version or conformance groups the builder was made for. */
export const BUILDER_FORM_NOT_ALLOWED = 4012;

/** The operand slots an error can be about. `nextImm` is the upper half of a two-part lddw. */
export type BuilderOperand = 'dst' | 'src' | 'off' | 'imm' | 'nextImm';

declare module '@ebpf/isa' {
  interface EbpfErrorContexts {
    [BUILDER_INVALID_REGISTER]: {
      readonly form: string | undefined;
      readonly operand: BuilderOperand | undefined;
      readonly value: unknown;
    };
    [BUILDER_IMMEDIATE_RANGE]: {
      readonly form: string;
      readonly operand: BuilderOperand;
      readonly value: unknown;
      readonly min: bigint;
      readonly max: bigint;
    };
    [BUILDER_OFFSET_RANGE]: { readonly form: string; readonly value: unknown };
    [BUILDER_DUPLICATE_LABEL]: { readonly label: string; readonly first: number };
    [BUILDER_UNDEFINED_LABEL]: { readonly form: string; readonly label: string };
    [BUILDER_JUMP_RANGE]: {
      readonly form: string;
      readonly label: string;
      readonly target: number;
      readonly distance: number;
      readonly field: 'off' | 'imm';
    };
    [BUILDER_WRITES_FRAME_POINTER]: { readonly form: string; readonly operand: 'dst' | 'src' };
    [BUILDER_UNKNOWN_FORM]: { readonly name: string };
    [BUILDER_BAD_OPERAND]: {
      readonly form: string;
      readonly operand: string;
      readonly problem: 'missing' | 'unused' | 'type' | 'arity';
      readonly value: unknown;
    };
    [BUILDER_INVALID_LABEL]: { readonly value: unknown };
    [BUILDER_PROGRAM_TOO_LONG]: { readonly slots: number; readonly max: number };
    [BUILDER_FORM_NOT_ALLOWED]: {
      readonly form: string;
      readonly cpu: string;
      readonly formCpu: string;
      readonly group: string;
    };
  }
}

/** Every code `@ebpf/builder` throws. */
export type BuilderErrorCode =
  | typeof BUILDER_INVALID_REGISTER
  | typeof BUILDER_IMMEDIATE_RANGE
  | typeof BUILDER_OFFSET_RANGE
  | typeof BUILDER_DUPLICATE_LABEL
  | typeof BUILDER_UNDEFINED_LABEL
  | typeof BUILDER_JUMP_RANGE
  | typeof BUILDER_WRITES_FRAME_POINTER
  | typeof BUILDER_UNKNOWN_FORM
  | typeof BUILDER_BAD_OPERAND
  | typeof BUILDER_INVALID_LABEL
  | typeof BUILDER_PROGRAM_TOO_LONG
  | typeof BUILDER_FORM_NOT_ALLOWED;

const names: Record<BuilderErrorCode, string> = {
  [BUILDER_INVALID_REGISTER]: 'BUILDER_INVALID_REGISTER',
  [BUILDER_IMMEDIATE_RANGE]: 'BUILDER_IMMEDIATE_RANGE',
  [BUILDER_OFFSET_RANGE]: 'BUILDER_OFFSET_RANGE',
  [BUILDER_DUPLICATE_LABEL]: 'BUILDER_DUPLICATE_LABEL',
  [BUILDER_UNDEFINED_LABEL]: 'BUILDER_UNDEFINED_LABEL',
  [BUILDER_JUMP_RANGE]: 'BUILDER_JUMP_RANGE',
  [BUILDER_WRITES_FRAME_POINTER]: 'BUILDER_WRITES_FRAME_POINTER',
  [BUILDER_UNKNOWN_FORM]: 'BUILDER_UNKNOWN_FORM',
  [BUILDER_BAD_OPERAND]: 'BUILDER_BAD_OPERAND',
  [BUILDER_INVALID_LABEL]: 'BUILDER_INVALID_LABEL',
  [BUILDER_PROGRAM_TOO_LONG]: 'BUILDER_PROGRAM_TOO_LONG',
  [BUILDER_FORM_NOT_ALLOWED]: 'BUILDER_FORM_NOT_ALLOWED',
};

/** Renders any operand value for a message, bigints and strings included. */
function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  return String(value);
}

const messages: { [C in BuilderErrorCode]: (ctx: EbpfErrorContextOf<C>) => string } = {
  [BUILDER_INVALID_REGISTER]: (c) =>
    `${c.form === undefined ? '' : `${c.form}: `}${c.operand === undefined ? 'register' : `${c.operand} register`} must be one of r0..r10, got ${show(c.value)}`,
  [BUILDER_IMMEDIATE_RANGE]: (c) =>
    `${c.form}: ${c.operand} ${show(c.value)} is not an integer in ${c.min}..${c.max}`,
  [BUILDER_OFFSET_RANGE]: (c) =>
    `${c.form}: offset ${show(c.value)} is not an integer in -32768..32767`,
  [BUILDER_DUPLICATE_LABEL]: (c) =>
    `label ${show(c.label)} is already defined (at instruction ${c.first})`,
  [BUILDER_UNDEFINED_LABEL]: (c) => `${c.form}: label ${show(c.label)} is never defined`,
  [BUILDER_JUMP_RANGE]: (c) =>
    `${c.form}: label ${show(c.label)} (instruction ${c.target}) is ${c.distance} instructions away, which does not fit the ${c.field === 'off' ? 'signed 16-bit offset' : 'signed 32-bit immediate'}`,
  [BUILDER_WRITES_FRAME_POINTER]: (c) =>
    `${c.form}: ${c.operand} register r10 is the read-only frame pointer and cannot be written`,
  [BUILDER_UNKNOWN_FORM]: (c) => `no instruction form named ${show(c.name)}`,
  [BUILDER_BAD_OPERAND]: (c) => {
    switch (c.problem) {
      case 'missing':
        return `${c.form}: operand ${c.operand} is missing`;
      case 'unused':
        return `${c.form}: the form has no operand ${c.operand} (got ${show(c.value)})`;
      case 'arity':
        return `${c.form}: expected ${c.operand}, got ${show(c.value)} arguments`;
      default:
        return `${c.form}: operand ${c.operand} has the wrong type (got ${show(c.value)})`;
    }
  },
  [BUILDER_INVALID_LABEL]: (c) =>
    `a label name must be a non-empty string other than a register name, got ${show(c.value)}`,
  [BUILDER_PROGRAM_TOO_LONG]: (c) =>
    `program has ${c.slots} instruction slots; at most ${c.max} allowed`,
  [BUILDER_FORM_NOT_ALLOWED]: (c) =>
    `${c.form} (cpu ${c.formCpu}, group ${c.group}) is not allowed for cpu ${c.cpu} with the enabled groups`,
};

/**
 * A program the builder cannot make: a bad operand, label or register. `pc` is the index (in
 * 8-byte slots) of the instruction the error is about.
 *
 * @example
 * try { new ProgramBuilder().ja('nowhere').toBytes(); } catch (e) {
 *   if (isEbpfError(e, BUILDER_UNDEFINED_LABEL)) console.log(e.pc, e.context.label); // 0 'nowhere'
 * }
 */
export class BuildError<C extends BuilderErrorCode = BuilderErrorCode> extends EbpfError<C> {
  constructor(code: C, context: EbpfErrorContextOf<C>, pc?: number) {
    const format = messages[code] as (ctx: EbpfErrorContextOf<C>) => string;
    super('build', code, names[code], `${describePc(pc)}${format(context)}`, context, { pc });
  }
}
