/**
 * The disassembler example of rbpf's README, in TypeScript: six instructions of bytecode (an add,
 * two moves, a byte swap, a negation and an exit) printed one per line in rbpf's syntax.
 *
 * Run it with `pnpm vitest run --project disassembler` (test/examples.test.ts checks its output),
 * or import `listReadmeProgram` yourself.
 */
import { disassemble } from '../src/index.js'; // '@ebpf/disassembler' outside this repository

/** The README's program, as raw bytes. */
export const README_PROGRAM = new Uint8Array([
  0x07,
  0x01,
  0x00,
  0x00,
  0x05,
  0x06,
  0x00,
  0x00, // r1 += 0x605
  0xb7,
  0x02,
  0x00,
  0x00,
  0x32,
  0x00,
  0x00,
  0x00, // r2 = 0x32
  0xbf,
  0x01,
  0x00,
  0x00,
  0x00,
  0x00,
  0x00,
  0x00, // r1 = r0
  0xdc,
  0x00,
  0x00,
  0x00,
  0x10,
  0x00,
  0x00,
  0x00, // r0 = be16 r0
  0x87,
  0x02,
  0x00,
  0x00,
  0x00,
  0x00,
  0x00,
  0x00, // r2 = -r2
  0x95,
  0x00,
  0x00,
  0x00,
  0x00,
  0x00,
  0x00,
  0x00, // exit
]);

/** What rbpf's `disassemble(prog)` prints for {@link README_PROGRAM}: one instruction per line. */
export function listReadmeProgram(): string {
  return `${disassemble(README_PROGRAM)}\n`;
}
