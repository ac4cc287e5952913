/**
 * # @ebpf/isa
 *
 * The eBPF instruction set (RFC 9669) as one frozen data table, and everything derived from it:
 * lookups by opcode, name and mnemonic; overlays for CPU versions and conformance groups; whole-
 * program `decode` and `encode` with `lddw`'s two slots; a reserved-field validator; the shared
 * error base `EbpfError`; and the constants every engine shares.
 *
 * @example
 * import { decode, encode, opcodes, rowByName } from '@ebpf/isa';
 *
 * const bytes = encode([
 *   { opcode: rowByName('mov64_imm').opcode, dst: 0, src: 0, off: 0, imm: 42 },
 *   { opcode: rowByName('exit').opcode, dst: 0, src: 0, off: 0, imm: 0 },
 * ]);
 * for (const insn of decode(bytes)) console.log(insn.pc, insn.row.mnemonic, insn.imm);
 * opcodes({ cpu: 'v3' }).has(rowByName('sdiv64_reg')); // false
 *
 * @packageDocumentation
 */
export * from './constants.js';
export * from './control-flow.js';
export * from './decode.js';
export * from './encode.js';
export * from './errors.js';
export * from './groups.js';
export type * from './instruction.js';
export * from './isa-errors.js';
export * from './lookup.js';
export * from './opcode-fields.js';
export * from './opcode-table.js';
export * from './validate.js';
