/**
 * # @ebpf/assembler
 *
 * Assembles eBPF text into bytecode, in two syntaxes:
 *
 * - **rbpf** (the default), with the bpf_conformance form of it: `add64 r1, 0x605`,
 *   `ldxh r0, [r1+2]`, `jeq %r1, 0x4, +8`, `lock fetch add [%r10-8], %r1`, `call local func`,
 *   labels (`loop:`) and the implicit `exit` label. Bare ALU mnemonics are 64-bit (`add`), a
 *   `32` suffix is 32-bit (`add32`); `0x...` immediates are raw 32-bit fields.
 * - **llvm**: what `llvm-objdump -d` prints and `llvm-mc -triple bpfel` reads: `r0 = 1`,
 *   `w1 += w2`, `r1 = 0x1234 ll`, `if r1 s> 3 goto +2`, `r0 = *(u32 *)(r1 + 4)`.
 *
 * Every form of the `@ebpf/isa` table can be written in both, and the bytes come from the ISA's
 * own `encodeInsn`. Bad text throws an {@link AsmError} (codes 2000-2999) with the line, the
 * column and the offending line with a caret; nothing else is ever thrown.
 *
 * `parseConformanceData` reads the bpf_conformance `.data` test format (text in, object out).
 *
 * @example
 * import { assemble, assembleProgram, parseConformanceData } from '@ebpf/assembler';
 *
 * assemble('mov r0, 1\nexit');                                 // Uint8Array(16)
 * assemble('r0 = 1\nexit', { syntax: 'llvm' });                // the same bytes
 * const { insns } = assembleProgram('loop:\nadd r1, 1\njne r1, 10, loop\nexit');
 * insns[1].off;                                                // -2
 *
 * const test = parseConformanceData(dataFileText);
 * const program = assemble(test.asm!, { firstLine: test.asmFirstLine });
 *
 * @packageDocumentation
 */
export * from './asm-errors.js';
export * from './assemble.js';
export * from './conformance-data.js';
export { RBPF_MNEMONICS } from './rbpf-syntax.js';
