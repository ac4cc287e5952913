import type { Command } from '../command.js';
import { ExitCode } from '../io.js';
import { UsageError } from '../usage-error.js';
import { ENGINES, type EngineName, prepareRun } from './run-engine.js';
import { loadProgramBytes, SYNTAXES, type Syntax } from './run-program-file.js';

const SYNOPSIS =
  'ebpf run FILE [--mem FILE] [--engine interp|jit] [--budget N] [--repeat N] [--syntax rbpf|llvm] [--section NAME] [--json]';

const USAGE = `${SYNOPSIS}

Runs a program and prints r0 in hex. FILE is an ELF object (one program section, no
relocations), assembly text (a .s/.asm name, or text content) or raw bytecode. r1 points to a
copy of the input and r2 holds its length (both 0 without --mem); helper 5 is the identity.

  --mem FILE           the input buffer
  --engine interp|jit  the interpreter (default) or the WebAssembly JIT
  --budget N           stop with an error after N instructions (default: no limit)
  --repeat N           run N times, each on a fresh copy of the input
  --syntax rbpf|llvm   the assembly syntax (default: LLVM's if the text has '=' or 'goto')
  --section NAME       the ELF section to run, when the object has several
  --json               print {r0, engine, insnCount, runs, medianNs, minNs} (and compileNs
                       with the JIT): times of execution alone`;

function positiveInteger(name: string, value: string | boolean | string[] | undefined) {
  if (value === undefined) return undefined;
  if (
    typeof value !== 'string' ||
    !/^\d+$/.test(value) ||
    Number(value) < 1 ||
    !Number.isSafeInteger(Number(value))
  ) {
    throw new UsageError(
      `--${name} wants a whole number >= 1, got '${String(value)}'\nUsage: ${SYNOPSIS}`,
    );
  }
  return Number(value);
}

function oneOf<T extends string>(
  name: string,
  value: unknown,
  choices: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got '${String(value)}'`);
  }
  return value as T;
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/**
 * `ebpf run`: loads a program (assembly text, raw bytecode or a simple ELF object), runs it with
 * r1 = the input buffer (`--mem`, else none) and r2 = its length, and prints r0 in hex. With
 * `--json`, one object: r0, engine, instruction count, runs, and the median and minimum time of
 * execution alone (plus the JIT's compile time).
 */
export const runCommand: Command = {
  name: 'run',
  summary: 'Run a program (text, bytecode or ELF) and print r0',
  usage: USAGE,
  options: {
    mem: { type: 'string' },
    engine: { type: 'string' },
    budget: { type: 'string' },
    repeat: { type: 'string' },
    syntax: { type: 'string' },
    section: { type: 'string' },
  },
  async run(args, io) {
    const [file, ...extra] = args.positionals;
    if (file === undefined) throw new UsageError(`missing the program FILE\nUsage: ${SYNOPSIS}`);
    if (extra.length > 0)
      throw new UsageError(`unexpected argument '${extra[0]}'\nUsage: ${SYNOPSIS}`);
    const engine: EngineName = oneOf('engine', args.values.engine, ENGINES, 'interp');
    const syntax: Syntax | undefined =
      args.values.syntax === undefined
        ? undefined
        : oneOf('syntax', args.values.syntax, SYNTAXES, 'rbpf');
    const budget = positiveInteger('budget', args.values.budget);
    const repeat = positiveInteger('repeat', args.values.repeat) ?? 1;
    const section = typeof args.values.section === 'string' ? args.values.section : undefined;
    const memPath = typeof args.values.mem === 'string' ? args.values.mem : undefined;

    const { code } = loadProgramBytes(file, await io.readFile(file), {
      ...(syntax === undefined ? {} : { syntax }),
      ...(section === undefined ? {} : { section }),
    });
    const mem = memPath === undefined ? undefined : await io.readFile(memPath);
    const runner = prepareRun(code, { engine, ...(budget === undefined ? {} : { budget }) });

    let last: { r0: bigint; insnCount: number } | undefined;
    const times: number[] = [];
    for (let i = 0; i < repeat; i++) {
      const input = mem === undefined ? undefined : mem.slice();
      const start = process.hrtime.bigint();
      last = runner.run(input);
      times.push(Number(process.hrtime.bigint() - start));
    }
    const result = last!;
    const r0 = `0x${result.r0.toString(16)}`;
    if (args.values.json) {
      io.stdout.write(
        `${JSON.stringify({
          r0,
          engine,
          insnCount: result.insnCount,
          runs: repeat,
          medianNs: median(times),
          minNs: times.reduce((a, b) => Math.min(a, b)),
          ...(runner.compileNs === undefined ? {} : { compileNs: runner.compileNs }),
        })}\n`,
      );
    } else {
      io.stdout.write(`${r0}\n`);
    }
    return ExitCode.OK;
  },
};
