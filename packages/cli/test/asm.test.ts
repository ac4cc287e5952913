import { assemble } from '@ebpf/assembler';
import { disassemble } from '@ebpf/disassembler';
import { encode, type Insn, OPCODE_TABLE, type OpcodeRow } from '@ebpf/isa';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.js';
import { ExitCode } from '../src/io.js';
import { fakeIo } from './fake-io.js';

const SOURCE = [
  '# sum 1..10',
  'mov r0, 0',
  'mov r1, 10',
  'loop:',
  'add r0, r1',
  'sub r1, 1',
  'jne r1, 0, loop',
  'exit',
  '',
].join('\n');
const LLVM_SOURCE =
  'r0 = 0\nr1 = 10\nLBB0_1:\nr0 += r1\nr1 += -1\nif r1 != 0 goto LBB0_1\nr2 = 0x1122334455667788 ll\nexit\n';

function hexLines(bytes: Uint8Array): string {
  const out: string[] = [];
  for (let at = 0; at < bytes.length; at += 8) {
    out.push(
      Array.from(bytes.subarray(at, at + 8), (b) => b.toString(16).padStart(2, '0')).join(''),
    );
  }
  return out.map((l) => `${l}\n`).join('');
}

describe('ebpf asm', () => {
  it('writes the bytes to -o OUT', async () => {
    const io = fakeIo({ 'sum.s': SOURCE });
    expect(await runCli(['asm', 'sum.s', '-o', 'sum.bin'], io)).toBe(ExitCode.OK);
    expect(io.files.get('sum.bin')).toEqual(assemble(SOURCE));
    expect((io.files.get('sum.bin') as Uint8Array).length).toBe(6 * 8);
    expect(io.out()).toBe('');
    expect(io.err()).toBe('');
  });

  it('--hex: one slot per line, 16 lowercase hex digits in memory order', async () => {
    const io = fakeIo({ 'sum.s': SOURCE });
    expect(await runCli(['asm', '--hex', 'sum.s', '-o', 'sum.hex'], io)).toBe(ExitCode.OK);
    const text = io.files.get('sum.hex') as string;
    expect(text.split('\n')[0]).toBe('b700000000000000');
    expect(text.split('\n')[4]).toBe('5501fdff00000000');
    expect(text).toMatch(/^([0-9a-f]{16}\n)+$/);
    expect(text).toBe(hexLines(assemble(SOURCE)));
  });

  it('prints hex on stdout without -o; reads stdin for -', async () => {
    const io = fakeIo({ '-': SOURCE });
    expect(await runCli(['asm', '-'], io)).toBe(ExitCode.OK);
    expect(io.out()).toBe(hexLines(assemble(SOURCE)));
  });

  it('--syntax llvm', async () => {
    const io = fakeIo({ 'p.s': LLVM_SOURCE });
    expect(await runCli(['asm', '--syntax', 'llvm', 'p.s'], io)).toBe(ExitCode.OK);
    expect(io.out()).toBe(hexLines(assemble(LLVM_SOURCE, { syntax: 'llvm' })));
    expect(io.out().split('\n').length - 1).toBe(8);
  });

  it('--json lists each instruction with its source line', async () => {
    const io = fakeIo({ 'sum.s': SOURCE });
    expect(await runCli(['asm', '--json', 'sum.s'], io)).toBe(ExitCode.OK);
    const out = JSON.parse(io.out());
    expect(out.slots).toBe(6);
    expect(out.insns.map((i: { line: number; form: string }) => [i.line, i.form])).toEqual([
      [2, 'mov64_imm'],
      [3, 'mov64_imm'],
      [5, 'add64_reg'],
      [6, 'sub64_imm'],
      [7, 'jne_imm'],
      [8, 'exit'],
    ]);
  });

  it('bad text: exit 1 and the AsmError on stderr with line, column and caret', async () => {
    const io = fakeIo({ 'bad.s': 'mov r0, 1\nmov r11, 2\nexit\n' });
    expect(await runCli(['asm', 'bad.s'], io)).toBe(ExitCode.INPUT);
    expect(io.err()).toBe(
      "ebpf: error: ASM_UNKNOWN_REGISTER: line 2, column 5: unknown register 'r11' (registers are r0-r10)\n  mov r11, 2\n      ^\n",
    );
    expect(io.out()).toBe('');
    const json = fakeIo({ 'bad.s': 'frob\n' });
    expect(await runCli(['asm', '--json', 'bad.s'], json)).toBe(ExitCode.INPUT);
    expect(JSON.parse(json.out()).error).toMatchObject({
      codeName: 'ASM_UNKNOWN_MNEMONIC',
      kind: 'assemble',
    });
  });

  it('a missing file is exit 1; a bad command line is exit 2', async () => {
    expect(await runCli(['asm', 'nope.s'], fakeIo())).toBe(ExitCode.INPUT);
    const usage = fakeIo({ 'a.s': 'exit' });
    expect(await runCli(['asm'], usage)).toBe(ExitCode.USAGE);
    expect(usage.err()).toMatch(/missing the source FILE/);
    expect(await runCli(['asm', '--syntax', 'gas', 'a.s'], fakeIo({ 'a.s': 'exit' }))).toBe(
      ExitCode.USAGE,
    );
    expect(await runCli(['asm', 'a.s', 'b.s'], fakeIo({ 'a.s': 'exit' }))).toBe(ExitCode.USAGE);
    expect(await runCli(['asm', '--bogus', 'a.s'], fakeIo({ 'a.s': 'exit' }))).toBe(ExitCode.USAGE);
  });

  it('round trip: ebpf disasm output assembles back to the same bytes, in both syntaxes', async () => {
    const bytes = assemble(`${SOURCE}lddw r2, 0x1122334455667788\nexit\n`);
    for (const syntax of ['rbpf', 'llvm']) {
      const dis = fakeIo({ 'p.bin': bytes });
      expect(await runCli(['disasm', '--syntax', syntax, 'p.bin'], dis)).toBe(ExitCode.OK);
      const back = fakeIo({ 'p.s': dis.out() });
      expect(await runCli(['asm', '--syntax', syntax, 'p.s', '-o', 'p.out'], back)).toBe(
        ExitCode.OK,
      );
      expect(back.files.get('p.out'), syntax).toEqual(bytes);
    }
  });
});

/** Field sets for a row: operands at their extremes, every other field as the form needs. */
function insnsOf(row: OpcodeRow): Insn[] {
  const cases = [
    [1, 2, -3, -1, 0xffff_ffff_ffff_ffffn],
    [10, 0, 0x7fff, 0x7fff_ffff, 5n],
    [0, 10, -0x8000, -0x8000_0000, 1n << 63n],
  ] as const;
  return cases.map(([dst, src, off, imm, imm64]) => {
    const uses = (f: 'dst' | 'src' | 'off' | 'imm') => row.uses.includes(f);
    return {
      opcode: row.opcode,
      dst: uses('dst') ? dst : 0,
      src: uses('src') ? src : (row.match.src ?? 0),
      off: uses('off') ? off : (row.match.off ?? 0),
      imm:
        row.kind === 'lddw'
          ? Number(BigInt.asIntN(32, imm64))
          : uses('imm')
            ? imm
            : (row.match.imm ?? 0),
      ...(row.kind === 'lddw' ? { imm64 } : {}),
    };
  });
}

/**
 * Where LLVM's text itself drops a field (llvm-objdump prints it so, llvm-mc reads it so), and the
 * disassembler follows LLVM: a call's src (`call N`), ld_pseudo's upper 32 bits, LD_IND's imm.
 */
function llvmTextLoses(row: OpcodeRow, insn: Insn, labels: boolean): boolean {
  if (row.op === 'call_btf') return true;
  if (row.op === 'call_local') return !labels || insn.imm !== -1; // only -1 lands in the program
  if (row.kind === 'lddw' && row.match.src !== 0) return (insn.imm64 ?? 0n) > 0xffff_ffffn;
  return row.op === 'ldind' && insn.imm !== 0;
}

describe('disassembler and assembler agree', () => {
  it('every row of the table: disassemble, then assemble, gives the bytes back', () => {
    let checked = 0;
    for (const syntax of ['rbpf', 'llvm'] as const) {
      for (const labels of [false, true]) {
        for (const row of OPCODE_TABLE) {
          for (const insn of insnsOf(row)) {
            if (syntax === 'llvm' && llvmTextLoses(row, insn, labels)) continue;
            const bytes = encode([insn]);
            const text = disassemble(bytes, { syntax, labels });
            expect(assemble(text, { syntax }), `${syntax}: ${text}`).toEqual(bytes);
            checked++;
          }
        }
      }
    }
    // rbpf keeps every field: all of it is checked there.
    expect(checked).toBeGreaterThan(OPCODE_TABLE.length * 3 * 2 + OPCODE_TABLE.length * 2 * 2);
  });
});
