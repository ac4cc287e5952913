import { readdir, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { assemble, parseConformanceData, rawToBytes } from '@ebpf/assembler';
import { isEbpfError } from '@ebpf/isa';
import { type EngineKind, type ExecutionEngine, runConformanceProgram } from '@ebpf/vm';
import type { Command } from '../command.js';
import { type CliIo, ExitCode } from '../io.js';
import { UsageError } from '../usage-error.js';
import { loadJitEngine, parseEngine } from './conformance-plugin.js';

export { conformancePluginCommand } from './conformance-plugin.js';

/** The outcome of one conformance file. */
export interface ConformanceOutcome {
  readonly file: string;
  readonly ok: boolean;
  readonly expected?: string;
  readonly actual?: string;
  readonly error?: string;
}

const hex = (v: bigint) => `0x${v.toString(16)}`;

/** Runs one `.data` file's text; never throws. */
export function runConformanceFile(
  file: string,
  text: string,
  engine: EngineKind,
  jit: ExecutionEngine | undefined,
): ConformanceOutcome {
  try {
    const test = parseConformanceData(text);
    const bytes = test.raw
      ? rawToBytes(test.raw)
      : assemble(test.asm ?? '', { firstLine: test.asmFirstLine });
    const { r0 } = runConformanceProgram(bytes, test.mem, { engine, ...(jit ? { jit } : {}) });
    if (test.result === undefined) {
      return { file, ok: false, actual: hex(r0), error: 'the file gives no expected result' };
    }
    return { file, ok: r0 === test.result, expected: hex(test.result), actual: hex(r0) };
  } catch (e) {
    const text = isEbpfError(e)
      ? `${e.codeName}: ${e.message}`
      : e instanceof Error
        ? e.message
        : String(e);
    // One line per failure: messages with an excerpt and caret keep only their first line.
    const error = text.split('\n')[0];
    return { file, ok: false, error };
  }
}

async function listDataFiles(cwd: string, paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const full = resolve(cwd, p);
    if ((await stat(full)).isDirectory()) {
      const names = (await readdir(full)).filter((n) => n.endsWith('.data')).sort();
      out.push(...names.map((n) => resolve(full, n)));
    } else {
      out.push(full);
    }
  }
  return out;
}

async function runConformance(
  paths: readonly string[],
  options: { engine: EngineKind; filter: RegExp | undefined; json: boolean },
  io: CliIo,
): Promise<ExitCode> {
  const jit = options.engine === 'jit' ? await loadJitEngine() : undefined;
  const files = (await listDataFiles(io.cwd, paths)).filter(
    (f) => options.filter === undefined || options.filter.test(basename(f)),
  );
  const outcomes: ConformanceOutcome[] = [];
  for (const file of files) {
    const text = new TextDecoder().decode(await io.readFile(file));
    const outcome = runConformanceFile(basename(file), text, options.engine, jit);
    outcomes.push(outcome);
    if (!outcome.ok && !options.json) {
      const why = outcome.error ?? `expected ${outcome.expected}, got ${outcome.actual}`;
      io.stdout.write(`FAIL ${outcome.file}: ${why}\n`);
    }
  }
  const passed = outcomes.filter((o) => o.ok).length;
  const failed = outcomes.length - passed;
  if (options.json) {
    io.stdout.write(
      `${JSON.stringify({ engine: options.engine, passed, failed, results: outcomes })}\n`,
    );
  } else {
    io.stdout.write(`${passed} passed, ${failed} failed\n`);
  }
  return failed === 0 ? ExitCode.OK : ExitCode.INPUT;
}

export const conformanceCommand: Command = {
  name: 'conformance',
  summary: 'Run bpf_conformance .data tests through the VM',
  usage: [
    'ebpf conformance DIR|FILE... [--engine interp|jit] [--filter REGEXP] [--json]',
    '',
    'Runs each .data file (every *.data in a directory) with r1 = a copy of its memory (0 when',
    'none), r2 = the memory length and helper 5 the identity. Prints one line per failure, then',
    '"N passed, N failed". Exits 1 when any test fails.',
  ].join('\n'),
  options: {
    engine: { type: 'string' },
    filter: { type: 'string' },
  },
  async run(args, io) {
    if (args.positionals.length === 0)
      throw new UsageError('conformance needs a directory or file');
    const engine = parseEngine(args.values.engine);
    let filter: RegExp | undefined;
    if (typeof args.values.filter === 'string') {
      try {
        filter = new RegExp(args.values.filter);
      } catch (e) {
        throw new UsageError(`--filter: ${(e as Error).message}`);
      }
    }
    return runConformance(
      args.positionals,
      { engine, filter, json: Boolean(args.values.json) },
      io,
    );
  },
};
