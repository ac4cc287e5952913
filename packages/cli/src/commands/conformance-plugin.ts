import { type EngineKind, type ExecutionEngine, runConformanceProgram } from '@ebpf/vm';
import type { Command } from '../command.js';
import { ExitCode } from '../io.js';
import { UsageError } from '../usage-error.js';

/** Reads `--engine`: `interp` (default) or `jit`. */
export function parseEngine(value: unknown): EngineKind {
  if (value === undefined || value === 'interp') return 'interp';
  if (value === 'jit') return 'jit';
  throw new UsageError(`--engine must be 'interp' or 'jit', not '${String(value)}'`);
}

/** The JIT engine of `@ebpf/jit`, for `--engine jit` (loaded only when asked for). */
export async function loadJitEngine(): Promise<ExecutionEngine> {
  const { createJit } = await import('@ebpf/jit');
  return createJit();
}

/**
 * Bytes from hex text: whitespace-separated tokens, each a run of hex digit pairs with an optional
 * `0x` (so both `b7 00 00 00` and `b7000000` read the same).
 */
export function parseHexBytes(text: string, what: string): Uint8Array {
  const out: number[] = [];
  for (const raw of text.split(/[\s,]+/)) {
    if (raw === '') continue;
    const token = raw.replace(/^0x/i, '');
    if (!/^(?:[0-9a-fA-F]{2})+$/.test(token)) {
      throw new UsageError(`${what}: '${raw}' is not hex bytes`);
    }
    for (let i = 0; i < token.length; i += 2) out.push(Number.parseInt(token.slice(i, i + 2), 16));
  }
  return new Uint8Array(out);
}

export const conformancePluginCommand: Command = {
  name: 'conformance-plugin',
  summary: 'Act as a bpf_conformance plugin: program on stdin, r0 in hex on stdout',
  usage: [
    'ebpf conformance-plugin [MEMORY_HEX] [PLUGIN_OPTIONS] [--program HEX] [--engine interp|jit]',
    '',
    'The bpf_conformance runner starts its plugin with the test memory as hex bytes in the first',
    'argument (and its --plugin_options in the second, ignored here), writes the program as hex',
    'bytes to stdin, and reads r0 in hex from stdout. --program gives the program instead of stdin.',
    'On an error the message goes to stderr and the exit code is 1. To use it as --plugin_path,',
    'wrap it: #!/bin/sh  exec ebpf conformance-plugin "$@"',
  ].join('\n'),
  options: {
    program: { type: 'string' },
    engine: { type: 'string' },
  },
  async run(args, io) {
    const engine = parseEngine(args.values.engine);
    const programText =
      typeof args.values.program === 'string'
        ? args.values.program
        : new TextDecoder().decode(await io.readFile('-'));
    const program = parseHexBytes(programText, 'program');
    const memText = args.positionals[0] ?? '';
    const mem = parseHexBytes(memText, 'memory');
    const jit = engine === 'jit' ? await loadJitEngine() : undefined;
    const { r0 } = runConformanceProgram(program, mem.length > 0 ? mem : undefined, {
      engine,
      ...(jit ? { jit } : {}),
    });
    io.stdout.write(`${r0.toString(16)}\n`);
    return ExitCode.OK;
  },
};
