import type { DecodedInsn } from './instruction.js';
import { DecodeError, ISA_RESERVED_FIELD } from './isa-errors.js';

const FIELDS = ['dst', 'src', 'off', 'imm'] as const;

/**
 * The first non-zero reserved field of a decoded instruction, as an error to throw or report, or
 * `undefined` when every field that is neither an operand nor the form's discriminator is zero.
 */
export function checkReservedFields(insn: DecodedInsn): DecodeError | undefined {
  const { row } = insn;
  for (const field of FIELDS) {
    if (row.uses.includes(field) || row.match[field] !== undefined) continue;
    if (insn[field] !== 0) {
      return new DecodeError(
        ISA_RESERVED_FIELD,
        { opcode: insn.opcode, form: row.name, field, value: insn[field] },
        insn.pc,
      );
    }
  }
  return undefined;
}
