import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.js';
import { COMMANDS } from '../src/commands/index.js';
import { ExitCode } from '../src/io.js';
import { VERSION } from '../src/version.js';
import { fakeIo } from './fake-io.js';

describe('ebpf', () => {
  it('lists every command in --help and exits 0', async () => {
    const io = fakeIo();
    expect(await runCli(['--help'], io)).toBe(ExitCode.OK);
    for (const c of COMMANDS) expect(io.out()).toContain(`  ${c.name}`);
    expect(io.out()).toMatch(/Exit codes: 0 success, 1 bad program or input, 2 bad command line/);
  });

  it('prints usage and exits 2 when no command is given', async () => {
    const io = fakeIo();
    expect(await runCli([], io)).toBe(ExitCode.USAGE);
    expect(io.out()).toContain('Usage: ebpf');
  });

  it('prints the version of its package.json', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    const io = fakeIo();
    expect(await runCli(['--version'], io)).toBe(ExitCode.OK);
    expect(io.out()).toBe(`${pkg.version}\n`);
    expect(VERSION).toBe(pkg.version);
  });

  it('rejects an unknown command with exit code 2 and one line on stderr', async () => {
    const io = fakeIo();
    expect(await runCli(['frobnicate'], io)).toBe(ExitCode.USAGE);
    expect(io.err()).toBe("ebpf: error: unknown command 'frobnicate' (see 'ebpf --help')\n");
  });

  it('rejects an unknown option with exit code 2, without a stack trace', async () => {
    const io = fakeIo();
    expect(await runCli(['demo', '--bogus'], io)).toBe(ExitCode.USAGE);
    expect(io.err()).toMatch(/^ebpf: error: .*--bogus/);
    expect(io.err()).not.toMatch(/\n\s+at /);
  });

  it('reports errors as JSON on stdout with --json', async () => {
    const io = fakeIo();
    expect(await runCli(['nope', '--json'], io)).toBe(ExitCode.USAGE);
    expect(JSON.parse(io.out()).error.message).toContain("unknown command 'nope'");
  });

  it('shows each command’s usage with --help', async () => {
    for (const c of COMMANDS) {
      const io = fakeIo();
      expect(await runCli([c.name, '--help'], io)).toBe(ExitCode.OK);
      expect(io.out()).toBe(`Usage: ${c.usage}\n`);
    }
  });
});
