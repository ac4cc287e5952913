/**
 * Error codes of `@ebpf/isa` (range 1000-1999). Never remove, change or reorder codes.
 */
import { describePc, EbpfError, type EbpfErrorContextOf } from './errors.js';

export const ISA_PROGRAM_LENGTH = 1001;
export const ISA_UNKNOWN_OPCODE = 1002;
export const ISA_UNKNOWN_VARIANT = 1003;
export const ISA_RESERVED_FIELD = 1004;
export const ISA_LDDW_TRUNCATED = 1005;
export const ISA_LDDW_SECOND_SLOT = 1006;
export const ISA_FIELD_RANGE = 1007;
export const ISA_PROGRAM_TOO_LONG = 1008;

declare module './errors.js' {
  interface EbpfErrorContexts {
    [ISA_PROGRAM_LENGTH]: { readonly byteLength: number };
    [ISA_UNKNOWN_OPCODE]: { readonly opcode: number };
    [ISA_UNKNOWN_VARIANT]: {
      readonly opcode: number;
      readonly field: 'src' | 'off' | 'imm';
      readonly value: number;
      readonly expected: readonly number[];
    };
    [ISA_RESERVED_FIELD]: {
      readonly opcode: number;
      readonly form: string;
      readonly field: 'dst' | 'src' | 'off' | 'imm';
      readonly value: number;
    };
    [ISA_LDDW_TRUNCATED]: { readonly slots: number };
    [ISA_LDDW_SECOND_SLOT]: {
      readonly opcode: number;
      readonly dst: number;
      readonly src: number;
      readonly off: number;
    };
    [ISA_FIELD_RANGE]: { readonly field: string; readonly value: number | bigint | undefined };
    [ISA_PROGRAM_TOO_LONG]: { readonly slots: number; readonly max: number };
  }
}

export type IsaErrorCode =
  | typeof ISA_PROGRAM_LENGTH
  | typeof ISA_UNKNOWN_OPCODE
  | typeof ISA_UNKNOWN_VARIANT
  | typeof ISA_RESERVED_FIELD
  | typeof ISA_LDDW_TRUNCATED
  | typeof ISA_LDDW_SECOND_SLOT
  | typeof ISA_FIELD_RANGE
  | typeof ISA_PROGRAM_TOO_LONG;

const hex = (n: number) => `0x${n.toString(16).padStart(2, '0')}`;

const names: Record<IsaErrorCode, string> = {
  [ISA_PROGRAM_LENGTH]: 'ISA_PROGRAM_LENGTH',
  [ISA_UNKNOWN_OPCODE]: 'ISA_UNKNOWN_OPCODE',
  [ISA_UNKNOWN_VARIANT]: 'ISA_UNKNOWN_VARIANT',
  [ISA_RESERVED_FIELD]: 'ISA_RESERVED_FIELD',
  [ISA_LDDW_TRUNCATED]: 'ISA_LDDW_TRUNCATED',
  [ISA_LDDW_SECOND_SLOT]: 'ISA_LDDW_SECOND_SLOT',
  [ISA_FIELD_RANGE]: 'ISA_FIELD_RANGE',
  [ISA_PROGRAM_TOO_LONG]: 'ISA_PROGRAM_TOO_LONG',
};

const messages: { [C in IsaErrorCode]: (ctx: EbpfErrorContextOf<C>) => string } = {
  [ISA_PROGRAM_LENGTH]: (c) =>
    `program length ${c.byteLength} bytes is not a whole number of 8-byte instructions`,
  [ISA_UNKNOWN_OPCODE]: (c) => `unknown opcode ${hex(c.opcode)}`,
  [ISA_UNKNOWN_VARIANT]: (c) =>
    `opcode ${hex(c.opcode)} has no form with ${c.field} = ${c.value} (expected ${c.expected.join(', ')})`,
  [ISA_RESERVED_FIELD]: (c) =>
    `${c.form} (opcode ${hex(c.opcode)}): reserved field ${c.field} must be 0, found ${c.value}`,
  [ISA_LDDW_TRUNCATED]: () => 'lddw needs two instruction slots but the program ends after one',
  [ISA_LDDW_SECOND_SLOT]: (c) =>
    `second slot of lddw must hold only the upper immediate (found opcode ${hex(c.opcode)}, dst ${c.dst}, src ${c.src}, offset ${c.off})`,
  [ISA_FIELD_RANGE]: (c) => `field ${c.field} out of range: ${String(c.value)}`,
  [ISA_PROGRAM_TOO_LONG]: (c) =>
    `program has ${c.slots} instruction slots; at most ${c.max} allowed`,
};

/** An instruction that cannot be decoded or encoded: bad bytes or bad fields. */
export class DecodeError<C extends IsaErrorCode = IsaErrorCode> extends EbpfError<C> {
  constructor(code: C, context: EbpfErrorContextOf<C>, pc?: number) {
    const format = messages[code] as (ctx: EbpfErrorContextOf<C>) => string;
    super('decode', code, names[code], `${describePc(pc)}${format(context)}`, context, { pc });
  }
}
