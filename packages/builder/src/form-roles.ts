/**
 * What each operand of a form means to the builder, read off the row of the instruction table
 * (on top of the ISA's own `branchField`/`writtenOperand`): which field may hold a label, and
 * whether lddw's immediate is two 32-bit halves.
 */
import { branchField, Lddw, type OpcodeRow } from '@ebpf/isa';

/**
 * The field that holds a PC-relative distance, so that it may name a label: the ISA's branch
 * field (jumps and local calls), and also the immediate of lddw's code-address form.
 */
export function labelField(row: OpcodeRow): 'off' | 'imm' | undefined {
  if (row.kind === 'lddw' && row.match.src === Lddw.CODE_ADDR) return 'imm';
  return branchField(row);
}

/**
 * Whether the form's 64-bit immediate is a pair (an id in the low half and a value offset in the
 * high half): lddw's map-value forms.
 */
export function hasNextImm(row: OpcodeRow): boolean {
  return (
    row.kind === 'lddw' &&
    (row.match.src === Lddw.MAP_VALUE_FD || row.match.src === Lddw.MAP_VALUE_IDX)
  );
}
