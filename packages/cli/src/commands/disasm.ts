import {
  DISASM_SYNTAXES,
  type DisasmSyntax,
  disassemble,
  disassembleInsns,
  parseHexSlots,
} from '@ebpf/disassembler';
import { loadBpfObject } from '@ebpf/elf';
import { CPU_VERSIONS, type CpuVersion } from '@ebpf/isa';
import type { Command } from '../command.js';
import { ExitCode } from '../io.js';
import { chooseOption } from '../option-values.js';
import { UsageError } from '../usage-error.js';
import { disassembleObject, disassembleProgram } from './disasm-elf.js';
import { isElf, objectNameOf, selectProgram } from './run-elf-object.js';

const USAGE =
  'ebpf disasm [--syntax rbpf|llvm] [--hex] [--labels] [--cpu v1|v2|v3|v4] [--section NAME] [--program NAME] [--json] FILE|-';

/**
 * `ebpf disasm`: prints raw bytecode (or, with `--hex`, its text form: one 8-byte slot per line as
 * 16 hex digits in memory order) as assembly, in rbpf's syntax or LLVM's. `--labels` names jump
 * targets; `--cpu` is llvm-objdump's `--mcpu` for the LLVM syntax; `--json` prints one entry per
 * instruction with its fields. An ELF object is loaded with `@ebpf/elf`: every program (or the
 * one `--section`/`--program` choose) is listed linked, with its relocations, map names, called
 * subprograms and helpers annotated.
 */
export const disasmCommand: Command = {
  name: 'disasm',
  summary: 'Disassemble bytecode or an ELF object into rbpf or LLVM assembly',
  usage: USAGE,
  options: {
    syntax: { type: 'string' },
    hex: { type: 'boolean', default: false },
    labels: { type: 'boolean', default: false },
    cpu: { type: 'string' },
    section: { type: 'string' },
    program: { type: 'string' },
  },
  async run(args, io) {
    const [file, ...extra] = args.positionals;
    if (file === undefined)
      throw new UsageError(`missing the program FILE (or - for stdin)\nUsage: ${USAGE}`);
    if (extra.length > 0)
      throw new UsageError(`unexpected argument '${extra[0]}'\nUsage: ${USAGE}`);
    const syntax: DisasmSyntax = chooseOption(
      'syntax',
      args.values.syntax,
      DISASM_SYNTAXES,
      'rbpf',
    );
    const cpu: CpuVersion = chooseOption('cpu', args.values.cpu, CPU_VERSIONS, 'v4');
    const data = await io.readFile(file);
    const section = typeof args.values.section === 'string' ? args.values.section : undefined;
    const program = typeof args.values.program === 'string' ? args.values.program : undefined;
    if (!args.values.hex && isElf(data)) {
      const object = loadBpfObject(data, { name: objectNameOf(file) });
      const programs =
        section === undefined && program === undefined
          ? object.programs
          : [selectProgram(object, file, { section, program })];
      const options = { syntax, cpu, labels: Boolean(args.values.labels) };
      if (args.values.json) {
        io.stdout.write(
          `${JSON.stringify({
            syntax,
            maps: object.maps.map((m) => ({
              name: m.name,
              type: m.typeName,
              keySize: m.keySize,
              valueSize: m.valueSize,
              maxEntries: m.maxEntries,
              internal: m.internal === true,
            })),
            programs: programs.map((p) => ({
              name: p.name,
              section: p.section,
              type: p.type,
              relocations: p.relocations,
              functions: p.functions,
              text: disassembleProgram(object, p, options),
            })),
          })}\n`,
        );
        return ExitCode.OK;
      }
      io.stdout.write(`${disassembleObject(object, file, options, programs)}\n`);
      return ExitCode.OK;
    }
    if (section !== undefined || program !== undefined) {
      throw new UsageError(`--section and --program need an ELF object; ${file} is not one`);
    }
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
