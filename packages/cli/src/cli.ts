/**
 * The `ebpf` command line: `ebpf [--help|--version] COMMAND [options] [args]`.
 *
 * Every failure is printed as one line, `ebpf: error: ...`, without a stack trace (or, with
 * `--json`, as `{"error": {...}}` on stdout), and mapped to an exit code: 1 for a bad program or
 * input (any `EbpfError`, unreadable files), 2 for a bad command line.
 */
import { parseArgs } from 'node:util';
import { isEbpfError } from '@ebpf/isa';
import { COMMON_OPTIONS, type Command } from './command.js';
import { COMMANDS } from './commands/index.js';
import { type CliIo, ExitCode } from './io.js';
import { UsageError } from './usage-error.js';
import { VERSION } from './version.js';

function mainUsage(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: ebpf [--help] [--version] <command> [options]',
    '',
    'A user-space eBPF toolkit: assemble, disassemble, verify and run eBPF programs.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options for every command:',
    '  --json        print machine-readable JSON',
    "  -h, --help    show the command's usage",
    '',
    'Exit codes: 0 success, 1 bad program or input, 2 bad command line.',
    '',
  ].join('\n');
}

function errorLine(e: unknown): { text: string; json: Record<string, unknown> } {
  if (isEbpfError(e)) {
    return { text: `${e.codeName}: ${e.message}`, json: e.toJSON() };
  }
  const err = e as { code?: unknown; message?: unknown; path?: unknown };
  if (typeof err?.code === 'string' && typeof err.message === 'string') {
    // File-system errors (ENOENT, EACCES...): name the file, keep the system's wording short.
    const path = typeof err.path === 'string' ? `${err.path}: ` : '';
    const text = `${path}${err.code === 'ENOENT' ? 'no such file' : err.message}`;
    return { text, json: { name: 'IoError', code: err.code, message: text } };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { text: message, json: { name: 'Error', message } };
}

function report(io: CliIo, json: boolean, e: unknown): void {
  const { text, json: obj } = errorLine(e);
  if (json) io.stdout.write(`${JSON.stringify({ error: obj })}\n`);
  io.stderr.write(`ebpf: error: ${text}\n`);
}

/** Runs the command line `argv` (without the node and script paths); resolves to the exit code. */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  commands: readonly Command[] = COMMANDS,
): Promise<ExitCode> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    io.stdout.write(mainUsage(commands));
    return first === undefined ? ExitCode.USAGE : ExitCode.OK;
  }
  if (first === '--version' || first === '-V') {
    io.stdout.write(`${VERSION}\n`);
    return ExitCode.OK;
  }
  const command = commands.find((c) => c.name === first);
  const wantsJson = rest.includes('--json');
  if (!command) {
    report(io, wantsJson, new UsageError(`unknown command '${first}' (see 'ebpf --help')`));
    return ExitCode.USAGE;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...rest],
      options: { ...COMMON_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    report(io, wantsJson, new UsageError(`${(e as Error).message}\nUsage: ${command.usage}`));
    return ExitCode.USAGE;
  }
  if (parsed.values.help) {
    io.stdout.write(`Usage: ${command.usage}\n`);
    return ExitCode.OK;
  }
  try {
    return await command.run(
      {
        values: parsed.values as Record<string, string | boolean | string[] | undefined>,
        positionals: parsed.positionals,
      },
      io,
    );
  } catch (e) {
    report(io, Boolean(parsed.values.json), e);
    return e instanceof UsageError ? ExitCode.USAGE : ExitCode.INPUT;
  }
}
