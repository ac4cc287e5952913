import { decode } from '@ebpf/isa';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.js';
import { DEMO_PROGRAM } from '../src/commands/demo.js';
import { ExitCode } from '../src/io.js';
import { fakeIo } from './fake-io.js';

async function demo(args: string[] = []) {
  const io = fakeIo();
  const code = await runCli(['demo', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

describe('ebpf demo', () => {
  it('lists the example through the disassembler, one line per instruction with its bytes and form', async () => {
    const { code, out, err } = await demo();
    expect(code).toBe(ExitCode.OK);
    expect(err).toBe('');
    const lines = out.split('\n');
    expect(lines[0]).toBe('Built-in example: sum the numbers 1 to 10 (6 instructions, 48 bytes)');
    const listing = lines.filter((l) => /^\s+\d+ {2}/.test(l));
    expect(listing).toHaveLength(6);
    expect(listing[0]).toMatch(
      /^ {2}0 {2}b7 00 00 00 00 00 00 00 {2}mov64 r0, 0x0 +; mov64_imm \(base64, v1\)$/,
    );
    expect(listing[4]).toMatch(/^ {2}4 {2}55 01 fd ff 00 00 00 00 {2}jne r1, 0x0, -0x3 +; jne_imm/);
    expect(listing[5]).toMatch(/^ {2}5 {2}95 00 00 00 00 00 00 00 {2}exit +; exit/);
  });

  it('runs the example and shows r0 = 55 after 33 instructions (2 + 10 rounds of 3 + exit)', async () => {
    const { out } = await demo();
    expect(out).toMatch(/Run on the interpreter: +r0 = 0x37 \(55\) after 33 instructions\n/);
    expect(out).toMatch(
      /Run on the JIT \(WebAssembly\): +r0 = 0x37 \(55\) after 33 instructions\n/,
    );
  });

  it('lists in LLVM syntax on request', async () => {
    const { out } = await demo(['--syntax', 'llvm']);
    expect(out).toMatch(/ {2}r0 = 0x0 +; mov64_imm/);
    expect(out).toMatch(/if r1 != 0x0 goto -0x3/);
    expect((await demo(['--syntax', 'att'])).code).toBe(ExitCode.USAGE);
  });

  it('--json gives the instructions and the result of each run', async () => {
    const obj = JSON.parse((await demo(['--json'])).out);
    expect(obj.program).toBe('sum-1-to-10');
    expect(obj.insns.map((i: { form: string }) => i.form)).toEqual(
      decode(DEMO_PROGRAM).map((i) => i.row.name),
    );
    expect(obj.runs).toEqual([
      { engine: 'interp', r0: '0x37', insnCount: 33 },
      { engine: 'jit', r0: '0x37', insnCount: 33 },
    ]);
  });
});
