import { assembleProgram, SYNTAXES, type Syntax } from '@ebpf/assembler';
import type { Command } from '../command.js';
import { ExitCode } from '../io.js';
import { UsageError } from '../usage-error.js';

const USAGE = 'ebpf asm [--syntax rbpf|llvm] [--hex] [-o OUT] [--json] FILE|-';

/** One 8-byte slot per line, 16 lowercase hex digits, the bytes in memory order. */
function toHexLines(bytes: Uint8Array): string {
  let out = '';
  for (let at = 0; at < bytes.length; at += 8) {
    out += `${Array.from(bytes.subarray(at, at + 8), (b) => b.toString(16).padStart(2, '0')).join('')}\n`;
  }
  return out;
}

/**
 * `ebpf asm`: assembles rbpf (default) or LLVM text into bytecode. With `-o OUT` it writes the raw
 * bytes (or, with `--hex`, the hex text) to OUT; without `-o` it prints the hex text, since
 * standard output is a text stream. `--json` prints each instruction with its source line.
 */
export const asmCommand: Command = {
  name: 'asm',
  summary: 'Assemble rbpf or LLVM assembly into bytecode',
  usage: USAGE,
  options: {
    syntax: { type: 'string' },
    hex: { type: 'boolean', default: false },
    o: { type: 'string', short: 'o' },
  },
  async run(args, io) {
    const [file, ...extra] = args.positionals;
    if (file === undefined) {
      throw new UsageError(`missing the source FILE (or - for stdin)\nUsage: ${USAGE}`);
    }
    if (extra.length > 0)
      throw new UsageError(`unexpected argument '${extra[0]}'\nUsage: ${USAGE}`);
    const syntax = args.values.syntax ?? 'rbpf';
    if (typeof syntax !== 'string' || !(SYNTAXES as readonly string[]).includes(syntax)) {
      throw new UsageError(
        `--syntax must be one of ${SYNTAXES.join(', ')}, got '${String(syntax)}'\nUsage: ${USAGE}`,
      );
    }
    const out = args.values.o;
    if (out !== undefined && (typeof out !== 'string' || out === '')) {
      throw new UsageError(`-o needs a file name\nUsage: ${USAGE}`);
    }
    const text = new TextDecoder().decode(await io.readFile(file));
    const program = assembleProgram(text, { syntax: syntax as Syntax });
    if (args.values.json) {
      const insns = program.insns.map((i) => ({
        pc: i.pc,
        line: i.line,
        form: i.row.name,
        dst: i.dst,
        src: i.src,
        off: i.off,
        imm: i.imm,
        ...(i.imm64 === undefined ? {} : { imm64: i.imm64.toString() }),
      }));
      io.stdout.write(
        `${JSON.stringify({ slots: program.bytes.length / 8, hex: toHexLines(program.bytes).split('\n').filter(Boolean), insns })}\n`,
      );
    }
    if (typeof out === 'string') {
      await io.writeFile(out, args.values.hex ? toHexLines(program.bytes) : program.bytes);
    } else if (!args.values.json) {
      io.stdout.write(toHexLines(program.bytes));
    }
    return ExitCode.OK;
  },
};
