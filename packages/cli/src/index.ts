/**
 * # @ebpf/cli
 *
 * The `ebpf` command. Also usable as a library, to run its commands in-process:
 *
 * @example
 * import { runCli } from '@ebpf/cli';
 * const code = await runCli(['demo'], io);
 *
 * @packageDocumentation
 */
export { runCli } from './cli.js';
export type { Command, ParsedArgs } from './command.js';
export { COMMANDS } from './commands/index.js';
export { type CliIo, ExitCode } from './io.js';
export { nodeIo } from './node-io.js';
export { UsageError } from './usage-error.js';
export { VERSION } from './version.js';
