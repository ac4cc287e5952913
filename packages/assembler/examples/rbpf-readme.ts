/**
 * The assembler example of rbpf's README, in TypeScript: six lines of rbpf-syntax assembly (an
 * add, two moves, a byte swap, a negation and an exit) assembled into 48 bytes of bytecode.
 *
 * test/examples.test.ts checks the bytes against the ones rbpf's README prints.
 */
import { assemble } from '../src/index.js'; // '@ebpf/assembler' outside this repository

/** The README's program text. */
export const README_SOURCE = `add64 r1, 0x605
mov64 r2, 0x32
mov64 r1, r0
be16 r0
neg64 r2
exit`;

/** Assembles the README's program; the bytes come out in memory order, 8 per instruction. */
export function assembleReadmeProgram(): Uint8Array {
  return assemble(README_SOURCE, { syntax: 'rbpf' });
}
