/**
 * # @ebpf/disassembler
 *
 * Turns eBPF bytecode into text, in two syntaxes:
 *
 * - `'rbpf'` (default): rbpf's disassembler format, `add64 r1, 0x605`, `ldxw r1, [r2+0x5]`,
 *   `jeq r1, 0x4, +0x8`; forms rbpf lacks use the bpf_conformance spelling (`lock fetch add ...`,
 *   `call local +0x3`, `movsx832 r0, r1`).
 * - `'llvm'`: what `llvm-objdump-19 -d` prints, `r1 += 0x605`, `if r1 == 0x4 goto +0x8`.
 *
 * `disassemble` gives the listing as text, `disassembleInsns` one structured entry per instruction
 * (fields, form name, text), and `formatInsn` the text of one decoded instruction. Slots that are
 * no instruction print as `.8byte 0x...` (rbpf) or `<unknown>` (LLVM) and never throw; the only
 * errors are for input that is not whole slots (`DisasmError`, codes 3000-3999).
 *
 * @example
 * import { disassemble } from '@ebpf/disassembler';
 *
 * const bytes = new Uint8Array([
 *   0x07, 0x01, 0x00, 0x00, 0x05, 0x06, 0x00, 0x00, // add64 r1, 0x605
 *   0x95, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // exit
 * ]);
 * disassemble(bytes);                     // 'add64 r1, 0x605\nexit'
 * disassemble(bytes, { syntax: 'llvm' }); // 'r1 += 0x605\nexit'
 *
 * @packageDocumentation
 */
export * from './disasm-errors.js';
export * from './disasm-options.js';
export * from './disassemble.js';
export { formatInsn } from './format-insn.js';
export { LLVM_UNKNOWN } from './format-llvm.js';
export * from './format-numbers.js';
export * from './hex-text.js';
