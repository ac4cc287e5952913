import {
  DISASM_SYNTAXES,
  type DisasmSyntax,
  disassemble,
  disassembleInsns,
  parseHexSlots,
} from '@ebpf/disassembler';
import { CPU_VERSIONS, type CpuVersion } from '@ebpf/isa';
import type { Command } from '../command.js';
import { ExitCode } from '../io.js';
import { UsageError } from '../usage-error.js';

const USAGE =
  'ebpf disasm [--syntax rbpf|llvm] [--hex] [--labels] [--cpu v1|v2|v3|v4] [--json] FILE|-';

function choose<T extends string>(
  name: string,
  value: unknown,
  choices: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw new UsageError(
      `--${name} must be one of ${choices.join(', ')}, got '${String(value)}'\nUsage: ${USAGE}`,
    );
  }
  return value as T;
}

/**
 * `ebpf disasm`: prints raw bytecode (or, with `--hex`, its text form: one 8-byte slot per line as
 * 16 hex digits in memory order) as assembly, in rbpf's syntax or LLVM's. `--labels` names jump
 * targets; `--cpu` is llvm-objdump's `--mcpu` for the LLVM syntax; `--json` prints one entry per
 * instruction with its fields.
 */
export const disasmCommand: Command = {
  name: 'disasm',
  summary: 'Disassemble bytecode into rbpf or LLVM assembly',
  usage: USAGE,
  options: {
    syntax: { type: 'string' },
    hex: { type: 'boolean', default: false },
    labels: { type: 'boolean', default: false },
    cpu: { type: 'string' },
  },
  async run(args, io) {
    const [file, ...extra] = args.positionals;
    if (file === undefined)
      throw new UsageError(`missing the program FILE (or - for stdin)\nUsage: ${USAGE}`);
    if (extra.length > 0)
      throw new UsageError(`unexpected argument '${extra[0]}'\nUsage: ${USAGE}`);
    const syntax: DisasmSyntax = choose('syntax', args.values.syntax, DISASM_SYNTAXES, 'rbpf');
    const cpu: CpuVersion = choose('cpu', args.values.cpu, CPU_VERSIONS, 'v4');
    const data = await io.readFile(file);
    const bytes = args.values.hex ? parseHexSlots(new TextDecoder().decode(data)) : data;
    const options = { syntax, cpu, labels: Boolean(args.values.labels) };
    if (args.values.json) {
      const insns = disassembleInsns(bytes, options).map(({ insn: _insn, imm64, ...entry }) => ({
        ...entry,
        // JSON has no 64-bit integers: the full lddw immediate as a hex string.
        ...(imm64 === undefined ? {} : { imm64: `0x${imm64.toString(16)}` }),
      }));
      io.stdout.write(`${JSON.stringify({ syntax, insns })}\n`);
      return ExitCode.OK;
    }
    const text = disassemble(bytes, options);
    io.stdout.write(text === '' ? '' : `${text}\n`);
    return ExitCode.OK;
  },
};
