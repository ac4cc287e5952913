import { readFileSync } from 'node:fs';
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

const elf = (path: string) =>
  new Uint8Array(readFileSync(new URL(`../../../${path}`, import.meta.url)));
const OBJECTS = {
  'fw.o': elf('examples/xdp-firewall/xdp_firewall.o'),
  'calls.o': elf('tools/fixtures/elf/calls-and-globals.o'),
  'two.o': elf('tools/fixtures/elf/two-programs.o'),
};

async function disasmElf(...args: string[]) {
  const io = fakeIo(OBJECTS);
  const code = await runCli(['disasm', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

describe('ebpf disasm of ELF objects', () => {
  it('lists the maps, then each program with map relocations and helper calls annotated', async () => {
    const { code, out } = await disasmElf('fw.o');
    expect(code).toBe(ExitCode.OK);
    const lines = out.split('\n');
    expect(lines.slice(0, 3)).toEqual([
      '; fw.o: 1 program, 2 maps, license Dual MIT/GPL',
      ';   map 0 blocked_ports: hash, key 2 B, value 16 B, 256 entries',
      ';   map 1 verdicts: array, key 4 B, value 8 B, 5 entries',
    ]);
    expect(out).toContain(
      'xdp/xdp_firewall (type xdp, 107 slots):\n<xdp_firewall>:\n    0: ldxw r6, [r1+0x4]\n',
    );
    expect(out).toMatch(/^ {3}79: lddw_map_idx r1, 0x0 +; R_BPF_64_64 map blocked_ports$/m);
    expect(out).toMatch(/^ {3}81: call 0x1 +; helper bpf_map_lookup_elem$/m);
    expect(lines.filter((l) => l.includes('R_BPF_64_64 map verdicts'))).toHaveLength(5);
  });

  it('names subprograms where they start and on calls, and global data with its internal map', async () => {
    const { out } = await disasmElf('calls.o', '--syntax', 'llvm');
    expect(out).toMatch(/^ {3}9: call .* +; R_BPF_64_32 call mix$/m);
    expect(out).toMatch(/^ {3}2: .* +; R_BPF_64_64 calls in \.data\+0x0 \(map calls\.data\)$/m);
    expect(out).toMatch(/^ {2}14: .* +; R_BPF_64_64 address of step$/m);
    expect(out).toContain('\n<mix> (.text):\n  27: ');
  });

  it('--section/--program pick programs; --json gives relocations and functions', async () => {
    const all = await disasmElf('two.o');
    expect(all.out.match(/^\S+\/\S+ \(type /gm)).toEqual([
      'xdp/xdp_first (type ',
      'xdp/xdp_second (type ',
      'kprobe/do_sys_open/probe_open (type ',
    ]);
    const one = await disasmElf('two.o', '--program', 'xdp_second');
    expect(one.out.match(/^\S+\/\S+ \(type /gm)).toEqual(['xdp/xdp_second (type ']);
    const ambiguous = await disasmElf('two.o', '--section', 'xdp');
    expect(ambiguous.code).toBe(ExitCode.USAGE);
    const json = JSON.parse((await disasmElf('fw.o', '--json')).out);
    expect(json.maps.map((m: { name: string }) => m.name)).toEqual(['blocked_ports', 'verdicts']);
    expect(json.programs[0].relocations[0]).toEqual({
      kind: 'map',
      insn: 45,
      symbol: 'verdicts',
      mapIndex: 1,
    });
    const raw = await disasmElf('x.bin', '--section', 'xdp');
    expect(raw.code).not.toBe(ExitCode.OK);
  });
});
