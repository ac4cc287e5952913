/**
 * The text of an instruction in problem reports, from the disassembler (rbpf syntax by default).
 */
import { type DisasmSyntax, formatInsn } from '@ebpf/disassembler';
import type { DecodedInsn } from '@ebpf/isa';

/**
 * One instruction as text, such as `add64 r1, 0x4` or, in LLVM syntax, `r1 += 0x4`.
 *
 * @example
 * formatInsnText(decode(bytes)[0]); // 'mov64 r0, 0x1'
 */
export function formatInsnText(insn: DecodedInsn, syntax: DisasmSyntax = 'rbpf'): string {
  return formatInsn(insn, { syntax });
}
