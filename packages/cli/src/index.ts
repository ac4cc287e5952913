/**
 * # @ebpf/cli
 *
 * The `ebpf` command: `asm`, `disasm` (bytecode or every program of an ELF object, relocations
 * annotated), `verify`, `run` (ELF objects through `@ebpf/elf` with their maps and helpers, once
 * or over a pcap/pcapng capture with a verdict summary, `--map-set` and `--dump-maps`),
 * `conformance`, and `demo` (a built-in capture through a built-in XDP firewall). Also usable
 * as a library, to run its commands in-process with your own streams and files (`CliIo`):
 *
 * @example
 * import { nodeIo, runCli } from '@ebpf/cli';
 * const code = await runCli(['run', 'fw.o', '--pcap', 'in.pcap', '--map-set', 'blocked_ports:23'], nodeIo());
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
