import { type DisasmEntry, disassembleInsns } from '@ebpf/disassembler';
import { CPU_VERSIONS, type CpuVersion } from '@ebpf/isa';
import {
  type HostDeclaration,
  type StrictOptions,
  strict,
  structural,
  type Verifier,
  type VerifyProblem,
} from '@ebpf/verifier';
import type { Command } from '../command.js';
import { ExitCode } from '../io.js';
import { chooseOption, wholeNumberOption } from '../option-values.js';
import { UsageError } from '../usage-error.js';
import { loadProgramBytes, SYNTAXES, type Syntax } from './run-program-file.js';

const USAGE = `ebpf verify FILE [--strict] [--syntax rbpf|llvm] [--section NAME] [--cpu v1|v2|v3|v4] [--callx]
                   [--context N [--packet D,E]] [--mem N] [--loops reject|bounded] [--budget N]
                   [--json]

  FILE               assembly text (.s/.asm, or any text), raw bytecode, or a simple ELF object
  --section NAME     the ELF section to verify, when the object has several
  --strict           the dataflow verifier (default: the structural one)
  --syntax S         assembly syntax of FILE and of the listing (default rbpf)
  --cpu V            newest CPU version allowed (default v4)
  --callx            allow callx (the callx conformance group)
  --context N        r1 points to a read-only context of N bytes
  --packet D,E       the context holds 64-bit packet data and data_end pointers at offsets D, E
  --mem N            r1 points to N bytes of input memory and r2 holds N (bpf_conformance)
  --loops L          strict: refuse loops (reject) or accept proven-bounded ones (bounded)
  --budget N         strict: the host's instruction budget; loops bounded by it are accepted

Exit code 0 when the program is accepted, 1 when it is refused.`;

/** Lines of listing shown before and after each problem's instruction. */
const CONTEXT_LINES = 2;

/** The listing around `pc`: a few instructions either side, the problem's one marked. */
function excerpt(listing: readonly DisasmEntry[], pc: number): string[] {
  const at = listing.findIndex((e) => e.pc === pc);
  if (at < 0) return [];
  const width = String(listing[listing.length - 1].pc).length;
  const out: string[] = [];
  for (
    let i = Math.max(0, at - CONTEXT_LINES);
    i <= Math.min(listing.length - 1, at + CONTEXT_LINES);
    i++
  ) {
    const e = listing[i];
    out.push(`  ${i === at ? '>' : ' '} ${String(e.pc).padStart(width)} | ${e.text}`);
  }
  return out;
}

function describeProblem(p: VerifyProblem, listing: readonly DisasmEntry[]): string {
  const where = p.pc === undefined ? '' : ` at insn ${p.pc}`;
  const lines = [`${p.codeName} (${p.code})${where}: ${p.message}`];
  if (p.pc !== undefined) {
    const around = excerpt(listing, p.pc);
    if (around.length > 0) lines.push(...around);
    else if (p.text) lines.push(`    ${p.text}`);
  }
  if (p.state && p.state.length > 0) {
    lines.push('  state before it:');
    for (const s of p.state) lines.push(`    ${s}`);
  }
  return lines.join('\n');
}

/**
 * `ebpf verify`: runs the structural verifier (or, with `--strict`, the dataflow one) on a
 * program and prints every problem with the instructions around it and, for `--strict`, the
 * register state that led to it. Exit code 0 when accepted, 1 when refused.
 */
export const verifyCommand: Command = {
  name: 'verify',
  summary: 'Check a program with the structural or the strict (dataflow) verifier',
  usage: USAGE,
  options: {
    strict: { type: 'boolean', default: false },
    syntax: { type: 'string' },
    cpu: { type: 'string' },
    callx: { type: 'boolean', default: false },
    context: { type: 'string' },
    mem: { type: 'string' },
    packet: { type: 'string' },
    section: { type: 'string' },
    loops: { type: 'string' },
    budget: { type: 'string' },
  },
  async run(args, io) {
    const file = args.positionals[0];
    if (file === undefined || args.positionals.length > 1) {
      throw new UsageError(`verify takes exactly one FILE\nUsage: ${USAGE}`);
    }
    const syntax: Syntax = chooseOption('syntax', args.values.syntax, SYNTAXES, 'rbpf');
    const cpu: CpuVersion = chooseOption('cpu', args.values.cpu, CPU_VERSIONS, 'v4');
    const loops = chooseOption(
      'loops',
      args.values.loops,
      ['reject', 'bounded'] as const,
      'bounded',
    );
    const budget = wholeNumberOption('budget', args.values.budget);
    const contextSize = wholeNumberOption('context', args.values.context);
    const memSize = wholeNumberOption('mem', args.values.mem);
    if (contextSize !== undefined && memSize !== undefined) {
      throw new UsageError('--context and --mem cannot be used together');
    }
    const packet = args.values.packet;
    let fields: { packetData: number; packetEnd: number } | undefined;
    if (packet !== undefined) {
      const m = typeof packet === 'string' ? /^(\d+),(\d+)$/.exec(packet) : null;
      if (!m || contextSize === undefined) {
        throw new UsageError('--packet takes two offsets D,E and needs --context N');
      }
      fields = { packetData: Number(m[1]), packetEnd: Number(m[2]) };
    }
    const host: HostDeclaration = {
      cpu,
      groups: args.values.callx ? ['base64', 'atomic64', 'divmul64', 'callx'] : undefined,
      ...(contextSize !== undefined ? { context: { size: contextSize, ...fields } } : {}),
      ...(memSize !== undefined ? { context: { size: memSize, input: true } } : {}),
      ...(budget !== undefined ? { budget } : {}),
    };
    const options: StrictOptions = {
      loops,
      boundedBy: budget !== undefined ? 'budget' : 'proof',
    };
    const verifier: Verifier = args.values.strict ? strict(options) : structural;
    const section = typeof args.values.section === 'string' ? args.values.section : undefined;
    const { code } = loadProgramBytes(file, await io.readFile(file), { syntax, section });
    const result = verifier.verify({ bytes: code, host });
    if (args.values.json) {
      io.stdout.write(
        `${JSON.stringify({ file, verifier: verifier.name, ok: result.ok, problems: result.problems })}\n`,
      );
      return result.ok ? ExitCode.OK : ExitCode.INPUT;
    }
    const slots = Math.floor(code.length / 8);
    if (result.ok) {
      io.stdout.write(
        `${file}: accepted by the ${verifier.name} verifier (${slots} instruction slots)\n`,
      );
      return ExitCode.OK;
    }
    const listing = disassembleInsns(code.subarray(0, slots * 8), { syntax });
    const n = result.problems.length;
    io.stdout.write(
      `${file}: refused by the ${verifier.name} verifier: ${n} problem${n === 1 ? '' : 's'}\n\n`,
    );
    io.stdout.write(`${result.problems.map((p) => describeProblem(p, listing)).join('\n\n')}\n`);
    return ExitCode.INPUT;
  },
};
