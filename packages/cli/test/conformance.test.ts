import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.js';
import { ExitCode } from '../src/io.js';
import { fakeIo } from './fake-io.js';

const SUITE = resolve(import.meta.dirname, '../../../../shared/conformance/tests');

/** A fake io over the real file system (the command lists directories itself). */
function diskIo(cwd: string) {
  const io = fakeIo();
  return Object.assign(io, {
    cwd,
    readFile: async (path: string) => new Uint8Array(readFileSync(resolve(cwd, path))),
  });
}

function scratchSuite(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ebpf-conformance-'));
  writeFileSync(
    join(dir, 'good.data'),
    '-- asm\nmov %r0, %r2\nexit\n-- mem\n01 02 03\n-- result\n0x3\n',
  );
  writeFileSync(join(dir, 'wrong.data'), '-- asm\nmov %r0, 1\nexit\n-- result\n0x2\n');
  writeFileSync(join(dir, 'broken.data'), '-- asm\nfrobnicate %r0\n-- result\n0x0\n');
  writeFileSync(join(dir, 'faults.data'), '-- asm\nldxb %r0, [%r1]\nexit\n-- result\n0x0\n');
  writeFileSync(join(dir, 'notes.txt'), 'not a test');
  return dir;
}

describe('ebpf conformance', () => {
  it('passes the whole bpf_conformance suite through the interpreter', async () => {
    const io = diskIo('/');
    expect(await runCli(['conformance', SUITE, '--engine', 'interp'], io)).toBe(ExitCode.OK);
    expect(io.out()).toBe('313 passed, 0 failed\n');
  });
  it('passes the whole suite through the JIT engine too', async () => {
    const io = diskIo('/');
    expect(await runCli(['conformance', SUITE, '--engine', 'jit'], io)).toBe(ExitCode.OK);
    expect(io.out()).toBe('313 passed, 0 failed\n');
  });
  it('prints one line per failure, then the counts, and exits 1', async () => {
    const io = diskIo(scratchSuite());
    expect(await runCli(['conformance', '.'], io)).toBe(ExitCode.INPUT);
    const lines = io.out().trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^FAIL broken\.data: ASM_\w+: /);
    expect(lines[1]).toMatch(
      /^FAIL faults\.data: VM_ACCESS_VIOLATION: insn 0: load of 1 bytes at 0x0/,
    );
    expect(lines[2]).toBe('FAIL wrong.data: expected 0x2, got 0x1');
    expect(lines[3]).toBe('1 passed, 3 failed');
  });
  it('--filter keeps the files whose names match', async () => {
    const io = diskIo(scratchSuite());
    expect(await runCli(['conformance', '.', '--filter', '^go'], io)).toBe(ExitCode.OK);
    expect(io.out()).toBe('1 passed, 0 failed\n');
  });
  it('--json gives every outcome', async () => {
    const io = diskIo(scratchSuite());
    await runCli(['conformance', 'wrong.data', 'good.data', '--json'], io);
    const report = JSON.parse(io.out());
    expect(report).toMatchObject({ engine: 'interp', passed: 1, failed: 1 });
    expect(report.results[0]).toEqual({
      file: 'wrong.data',
      ok: false,
      expected: '0x2',
      actual: '0x1',
    });
  });
  it('rejects a bad --engine or --filter and a missing directory argument with exit 2', async () => {
    expect(await runCli(['conformance', '.', '--engine', 'fast'], diskIo('/'))).toBe(
      ExitCode.USAGE,
    );
    expect(await runCli(['conformance', '.', '--filter', '('], diskIo('/'))).toBe(ExitCode.USAGE);
    expect(await runCli(['conformance'], diskIo('/'))).toBe(ExitCode.USAGE);
  });
});

describe('ebpf conformance-plugin', () => {
  const MOV_R0_R2 = 'bf 20 00 00 00 00 00 00 95 00 00 00 00 00 00 00';
  it('reads the program from stdin and the memory from the first argument; prints r0 in hex', async () => {
    const io = fakeIo({ '-': `${MOV_R0_R2}\n` });
    expect(await runCli(['conformance-plugin', '00 01 02  03 04 ', ''], io)).toBe(ExitCode.OK);
    expect(io.out()).toBe('5\n');
  });
  it('takes --program, and r1 = 0 when there is no memory', async () => {
    const io = fakeIo();
    // mov r0, r1; exit
    expect(
      await runCli(
        ['conformance-plugin', '', '--program', 'bf10000000000000 9500000000000000'],
        io,
      ),
    ).toBe(ExitCode.OK);
    expect(io.out()).toBe('0\n');
  });
  it('runs through the JIT with --engine jit', async () => {
    const io = fakeIo({ '-': `${MOV_R0_R2}\n` });
    expect(await runCli(['conformance-plugin', '01 02', '--engine', 'jit'], io)).toBe(ExitCode.OK);
    expect(io.out()).toBe('2\n');
  });
  it('prints r0 as 64-bit hex', async () => {
    const io = fakeIo();
    // mov r0, -1; exit
    await runCli(['conformance-plugin', '--program', 'b7000000ffffffff9500000000000000'], io);
    expect(io.out()).toBe('ffffffffffffffff\n');
  });
  it('on a fault exits non-zero with the message on stderr', async () => {
    const io = fakeIo();
    // ldxb r0, [r1]; exit with no memory: r1 = 0
    expect(
      await runCli(['conformance-plugin', '--program', '71100000000000009500000000000000'], io),
    ).toBe(ExitCode.INPUT);
    expect(io.out()).toBe('');
    expect(io.err()).toMatch(/VM_ACCESS_VIOLATION/);
  });
  it('rejects text that is not hex bytes', async () => {
    const io = fakeIo();
    expect(await runCli(['conformance-plugin', 'zz', '--program', '9500000000000000'], io)).toBe(
      ExitCode.USAGE,
    );
    expect(io.err()).toMatch(/memory: 'zz' is not hex bytes/);
  });
});
