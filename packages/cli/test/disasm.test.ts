import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.js';
import { ExitCode } from '../src/io.js';
import { fakeIo } from './fake-io.js';

/** mov64 r1, 0x605 / lddw r2, 0x1122334455667788 / jne r1, 0x0, -3 / exit */
const PROGRAM = new Uint8Array([
  0xb7, 0x01, 0x00, 0x00, 0x05, 0x06, 0x00, 0x00, 0x18, 0x02, 0x00, 0x00, 0x88, 0x77, 0x66, 0x55,
  0x00, 0x00, 0x00, 0x00, 0x44, 0x33, 0x22, 0x11, 0x55, 0x01, 0xfd, 0xff, 0x00, 0x00, 0x00, 0x00,
  0x95, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
]);

const HEX = [
  '# the same program in the text form',
  'b701000005060000',
  '1802000088776655',
  '0000000044332211',
  '55 01 fd ff 00 00 00 00',
  '9500000000000000',
  '',
].join('\n');

describe('ebpf disasm', () => {
  it('prints raw bytecode in rbpf syntax by default', async () => {
    const io = fakeIo({ 'prog.bin': PROGRAM });
    expect(await runCli(['disasm', 'prog.bin'], io)).toBe(ExitCode.OK);
    expect(io.out()).toBe(
      'mov64 r1, 0x605\nlddw r2, 0x1122334455667788\njne r1, 0x0, -0x3\nexit\n',
    );
    expect(io.err()).toBe('');
  });

  it('prints LLVM syntax with --syntax llvm, and labels with --labels', async () => {
    const io = fakeIo({ 'prog.bin': PROGRAM });
    expect(await runCli(['disasm', '--syntax', 'llvm', '--labels', 'prog.bin'], io)).toBe(
      ExitCode.OK,
    );
    expect(io.out()).toBe(
      'r1 = 0x605\nL1:\nr2 = 0x1122334455667788 ll\nif r1 != 0x0 goto L1\nexit\n',
    );
  });

  it('reads the hex text form with --hex (from stdin as -)', async () => {
    const io = fakeIo({ '-': HEX });
    expect(await runCli(['disasm', '--hex', '-'], io)).toBe(ExitCode.OK);
    expect(io.out()).toBe(
      'mov64 r1, 0x605\nlddw r2, 0x1122334455667788\njne r1, 0x0, -0x3\nexit\n',
    );
  });

  it('prints one JSON entry per instruction with --json', async () => {
    const io = fakeIo({ 'prog.bin': PROGRAM });
    expect(await runCli(['disasm', '--json', 'prog.bin'], io)).toBe(ExitCode.OK);
    const out = JSON.parse(io.out());
    expect(out.syntax).toBe('rbpf');
    expect(out.insns.map((e: { pc: number; form: string }) => [e.pc, e.form])).toEqual([
      [0, 'mov64_imm'],
      [1, 'lddw'],
      [3, 'jne_imm'],
      [4, 'exit'],
    ]);
    expect(out.insns[1]).toMatchObject({
      dst: 2,
      slots: 2,
      imm64: '0x1122334455667788',
      text: 'lddw r2, 0x1122334455667788',
    });
  });

  it('exits 1 with a typed error when the length is not whole slots', async () => {
    const io = fakeIo({ 'bad.bin': PROGRAM.subarray(0, 12) });
    expect(await runCli(['disasm', 'bad.bin'], io)).toBe(ExitCode.INPUT);
    expect(io.err()).toMatch(/^ebpf: error: DISASM_PROGRAM_LENGTH: program length 12 bytes/);
  });

  it('exits 1 naming line and column for bad hex text', async () => {
    const io = fakeIo({ 'p.hex': 'b701000005060000\nb70100000506zz00\n' });
    expect(await runCli(['disasm', '--hex', 'p.hex'], io)).toBe(ExitCode.INPUT);
    expect(io.err()).toMatch(/^ebpf: error: DISASM_HEX_SYNTAX: line 2, column 13/);
  });

  it('prints unknown slots instead of failing', async () => {
    const io = fakeIo({ 'p.bin': new Uint8Array([0xff, 0, 0, 0, 0, 0, 0, 0]) });
    expect(await runCli(['disasm', 'p.bin'], io)).toBe(ExitCode.OK);
    expect(io.out()).toBe('.8byte 0x00000000000000ff\n');
  });

  it.each([
    [['disasm'], /missing the program FILE/],
    [['disasm', 'a', 'b'], /unexpected argument 'b'/],
    [['disasm', '--syntax', 'gas', 'a'], /--syntax must be one of rbpf, llvm/],
    [['disasm', '--cpu', 'v9', 'a'], /--cpu must be one of v1, v2, v3, v4/],
  ])('exits 2 on a bad command line: %j', async (argv, message) => {
    const io = fakeIo({ a: PROGRAM });
    expect(await runCli(argv, io)).toBe(ExitCode.USAGE);
    expect(io.err()).toMatch(message);
  });

  it('exits 1 when the file does not exist', async () => {
    const io = fakeIo();
    expect(await runCli(['disasm', 'nope.bin'], io)).toBe(ExitCode.INPUT);
    expect(io.err()).toBe('ebpf: error: nope.bin: no such file\n');
  });
});
