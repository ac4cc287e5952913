import { DISASM_SYNTAXES, type DisasmSyntax, disassembleInsns } from '@ebpf/disassembler';
import { createJit } from '@ebpf/jit';
import { EbpfVmNoData, type ExecutionEngine, type RunResult } from '@ebpf/vm';
import type { Command } from '../command.js';
import { ExitCode } from '../io.js';
import { UsageError } from '../usage-error.js';

/**
 * The built-in example: a little program that sums the numbers 1 to 10 in a loop, in raw
 * bytecode (what `clang -target bpf` would emit for such a loop). r0 ends as 55 after 33
 * instructions.
 */
// biome-ignore format: one instruction (or header field group) per line
export const DEMO_PROGRAM = new Uint8Array([
  0xb7, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // mov64 r0, 0
  0xb7, 0x01, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, // mov64 r1, 10
  0x0f, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // add64 r0, r1
  0x17, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, // sub64 r1, 1
  0x55, 0x01, 0xfd, 0xff, 0x00, 0x00, 0x00, 0x00, // jne r1, 0, -3
  0x95, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // exit
]);

function hexBytes(bytes: Uint8Array, pc: number, slots: number): string {
  return Array.from(bytes.subarray(pc * 8, (pc + slots) * 8), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join(' ');
}

/** Runs the example on the interpreter and on the JIT, with one VM. */
function runDemo(jit: ExecutionEngine): { engine: string; result: RunResult }[] {
  const vm = new EbpfVmNoData(DEMO_PROGRAM, { jit });
  return [
    { engine: 'interp', result: vm.run() },
    { engine: 'jit', result: vm.run({}, { engine: 'jit' }) },
  ];
}

const ENGINE_LABELS: Record<string, string> = { interp: 'interpreter', jit: 'JIT (WebAssembly)' };

/**
 * `ebpf demo`: lists the built-in example through the disassembler (bytes, text, table row) and
 * runs it on the interpreter and on the JIT, showing r0 and the instruction count.
 */
export const demoCommand: Command = {
  name: 'demo',
  summary: 'Show what the toolkit does with a built-in example program',
  usage: 'ebpf demo [--syntax rbpf|llvm] [--json]',
  options: { syntax: { type: 'string' } },
  async run(args, io) {
    const syntax = (args.values.syntax ?? 'rbpf') as DisasmSyntax;
    if (!(DISASM_SYNTAXES as readonly string[]).includes(syntax)) {
      throw new UsageError(
        `--syntax must be one of ${DISASM_SYNTAXES.join(', ')}, got '${syntax}'`,
      );
    }
    const entries = disassembleInsns(DEMO_PROGRAM, { syntax });
    const runs = runDemo(createJit());
    if (args.values.json) {
      io.stdout.write(
        `${JSON.stringify({
          program: 'sum-1-to-10',
          insns: entries.map((e) => ({
            pc: e.pc,
            form: e.form,
            text: e.text,
            dst: e.dst,
            src: e.src,
            off: e.off,
            imm: e.imm,
          })),
          runs: runs.map(({ engine, result }) => ({
            engine,
            r0: `0x${result.r0.toString(16)}`,
            insnCount: result.insnCount,
          })),
        })}\n`,
      );
      return ExitCode.OK;
    }
    const width = Math.max(...entries.map((e) => e.text.length));
    io.stdout.write(
      `Built-in example: sum the numbers 1 to 10 (${entries.length} instructions, ${DEMO_PROGRAM.length} bytes)\n\n`,
    );
    for (const e of entries) {
      const row = e.insn?.row;
      const about = row ? `; ${row.name} (${row.group}, ${row.cpu})` : `; ${e.problem ?? ''}`;
      io.stdout.write(
        `${String(e.pc).padStart(3)}  ${hexBytes(DEMO_PROGRAM, e.pc, e.slots)}  ${e.text.padEnd(width)}  ${about}\n`,
      );
    }
    io.stdout.write('\n');
    for (const { engine, result } of runs) {
      io.stdout.write(
        `${`Run on the ${ENGINE_LABELS[engine] ?? engine}:`.padEnd(32)} r0 = 0x${result.r0.toString(16)} (${result.r0}) after ${result.insnCount} instructions\n`,
      );
    }
    return ExitCode.OK;
  },
};
