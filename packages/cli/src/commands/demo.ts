import { type DecodedInsn, decode } from '@ebpf/isa';
import type { Command } from '../command.js';
import { ExitCode } from '../io.js';

/**
 * The built-in example: a little program that sums the numbers 1 to 10 in a loop, in raw
 * bytecode (what `clang -target bpf` would emit for such a loop).
 */
export const DEMO_PROGRAM = new Uint8Array([
  0xb7,
  0x00,
  0x00,
  0x00,
  0x00,
  0x00,
  0x00,
  0x00, // mov64 r0, 0
  0xb7,
  0x01,
  0x00,
  0x00,
  0x0a,
  0x00,
  0x00,
  0x00, // mov64 r1, 10
  0x0f,
  0x10,
  0x00,
  0x00,
  0x00,
  0x00,
  0x00,
  0x00, // add64 r0, r1
  0x17,
  0x01,
  0x00,
  0x00,
  0x01,
  0x00,
  0x00,
  0x00, // sub64 r1, 1
  0x55,
  0x01,
  0xfd,
  0xff,
  0x00,
  0x00,
  0x00,
  0x00, // jne r1, 0, -3
  0x95,
  0x00,
  0x00,
  0x00,
  0x00,
  0x00,
  0x00,
  0x00, // exit
]);

function hexBytes(bytes: Uint8Array, pc: number, slots: number): string {
  return Array.from(bytes.subarray(pc * 8, (pc + slots) * 8), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join(' ');
}

function describe(insn: DecodedInsn): string {
  const { row } = insn;
  const fields = row.uses.map((f) => `${f}=${insn[f]}`).join(' ');
  return `${row.name.padEnd(12)} ${fields.padEnd(22)} ${row.group}/${row.cpu}`;
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'Show what the toolkit does with a built-in example program',
  usage: 'ebpf demo [--json]',
  options: {},
  async run(args, io) {
    const insns = decode(DEMO_PROGRAM, { strict: true });
    if (args.values.json) {
      io.stdout.write(
        `${JSON.stringify({
          program: 'sum-1-to-10',
          insns: insns.map((i) => ({
            pc: i.pc,
            form: i.row.name,
            dst: i.dst,
            src: i.src,
            off: i.off,
            imm: i.imm,
          })),
        })}\n`,
      );
      return ExitCode.OK;
    }
    io.stdout.write('Built-in example: sum the numbers 1 to 10 (6 instructions, 48 bytes)\n\n');
    for (const insn of insns) {
      io.stdout.write(
        `${String(insn.pc).padStart(3)}  ${hexBytes(DEMO_PROGRAM, insn.pc, insn.row.slots)}  ${describe(insn)}\n`,
      );
    }
    return ExitCode.OK;
  },
};
