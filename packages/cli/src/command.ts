import type { ParseArgsConfig } from 'node:util';
import type { CliIo, ExitCode } from './io.js';

/** Options every subcommand accepts. */
export const COMMON_OPTIONS = {
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** The parsed command line of one subcommand. */
export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly positionals: readonly string[];
}

/** One `ebpf` subcommand. */
export interface Command {
  readonly name: string;
  /** One line for `ebpf --help`. */
  readonly summary: string;
  /** The full usage text for `ebpf NAME --help`. */
  readonly usage: string;
  readonly options: NonNullable<ParseArgsConfig['options']>;
  run(args: ParsedArgs, io: CliIo): Promise<ExitCode>;
}
