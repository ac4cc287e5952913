import type { DecodedInsn } from '@ebpf/isa';
import type { DisasmOptions, FormatContext } from './disasm-options.js';
import { formatLlvm } from './format-llvm.js';
import { formatRbpf } from './format-rbpf.js';

/**
 * The text of one decoded instruction (what the verifier and the VM print in messages). Jump
 * targets print as offsets, since one instruction alone has no labels.
 *
 * @example
 * formatInsn(decodeAt(bytes, 0));                       // 'add64 r1, 0x605'
 * formatInsn(decodeAt(bytes, 0), { syntax: 'llvm' });   // 'r1 += 0x605'
 */
export function formatInsn(insn: DecodedInsn, options: DisasmOptions = {}): string {
  return formatWith(insn, { options });
}

/** {@link formatInsn} with a label lookup, for whole-program listings. */
export function formatWith(insn: DecodedInsn, ctx: FormatContext): string {
  return ctx.options.syntax === 'llvm' ? formatLlvm(insn, ctx) : formatRbpf(insn, ctx);
}
