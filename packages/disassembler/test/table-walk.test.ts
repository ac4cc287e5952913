import { assemble } from '@ebpf/assembler';
import { encode, type Insn, OPCODE_TABLE, type OpcodeRow } from '@ebpf/isa';
import { describe, expect, it } from 'vitest';
import { type DisasmSyntax, disassemble, disassembleInsns } from '../src/index.js';
import { readGoldenLines } from './goldens-io.js';

/** Field values per variant: small, negative, extreme. Variant i takes the i-th of each list. */
const VALUES = {
  dst: [1, 0, 10, 9, 5, 3],
  src: [2, 10, 0, 3, 9, 7],
  off: [0x10, -8, 0x7fff, -0x8000, 0, -1],
  imm: [0x605, -1, 0x7fffffff, -0x80000000, 0, 5],
  imm64: [
    0x1122334455667788n,
    0xffffffffffffffffn,
    0x8000000000000000n,
    0x7fffffffn,
    0n,
    0x100000000n,
  ],
};

/** Encodings of `row` that the syntax can express (LLVM's drops some fields; see format-llvm.ts). */
function variantsOf(row: OpcodeRow, syntax: DisasmSyntax): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < VALUES.imm.length; i++) {
    const field = (f: 'dst' | 'src' | 'off' | 'imm') =>
      row.match[f] ?? (row.uses.includes(f) ? VALUES[f][i] : 0);
    let insn: Insn = {
      opcode: row.opcode,
      dst: field('dst'),
      src: field('src'),
      off: field('off'),
      imm: field('imm'),
    };
    if (row.slots === 2) insn = { ...insn, imm64: VALUES.imm64[i] };
    if (syntax === 'llvm') {
      if (row.op === 'ldind' && insn.imm !== 0) continue; // `skb[r2]` has no immediate
      if (row.kind === 'lddw' && row.match.src !== 0 && insn.imm64! >> 32n !== 0n) continue; // ld_pseudo
      if (row.op === 'call_local' || row.op === 'call_btf') continue; // `call N` means a helper
      if (row.name === 'ja32' && Math.abs(insn.imm) > 0x7fffff) continue; // llvm-mc limits gotol
    }
    out.push(encode([insn]));
  }
  return out;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

describe('table walk: bytes -> text -> bytes for every row of the ISA table', () => {
  for (const syntax of ['rbpf', 'llvm'] as const) {
    it(`${syntax} syntax: every row and field variant round-trips through @ebpf/assembler`, () => {
      const failures: string[] = [];
      let checked = 0;
      for (const row of OPCODE_TABLE) {
        for (const bytes of variantsOf(row, syntax)) {
          const text = disassemble(bytes, { syntax });
          let back: Uint8Array | string;
          try {
            back = assemble(text, { syntax });
          } catch (e) {
            back = `error: ${(e as Error).message.split('\n')[0]}`;
          }
          checked++;
          if (typeof back === 'string' || hex(back) !== hex(bytes)) {
            failures.push(
              `${row.name} ${hex(bytes)} "${text}" -> ${typeof back === 'string' ? back : hex(back)}`,
            );
          }
        }
      }
      expect(failures).toEqual([]);
      expect(checked).toBeGreaterThan(OPCODE_TABLE.length * 4);
    });

    it(`${syntax} syntax: local calls and jumps round-trip with labels on`, () => {
      // ja +1 over an exit, a local call back to slot 0, a conditional jump and a ja32 backwards.
      const program = encode([
        { opcode: 0x05, dst: 0, src: 0, off: 1, imm: 0 },
        { opcode: 0x95, dst: 0, src: 0, off: 0, imm: 0 },
        { opcode: 0x85, dst: 0, src: 1, off: 0, imm: -3 },
        { opcode: 0x15, dst: 1, src: 0, off: -2, imm: 7 },
        { opcode: 0x06, dst: 0, src: 0, off: 0, imm: -4 },
        { opcode: 0x95, dst: 0, src: 0, off: 0, imm: 0 },
      ]);
      const text = disassemble(program, { syntax, labels: true });
      expect(text.split('\n').filter((l) => l.endsWith(':'))).toEqual(['L0:', 'L1:', 'L2:']);
      expect(hex(assemble(text, { syntax }))).toBe(hex(program));
    });
  }

  it('every row prints in both syntaxes as an instruction, not as an unknown slot', () => {
    for (const row of OPCODE_TABLE) {
      for (const syntax of ['rbpf', 'llvm'] as const) {
        const [entry] = disassembleInsns(variantsOf(row, 'rbpf')[0], { syntax });
        expect(entry.form, `${row.name} (${syntax})`).toBe(row.name);
        expect(entry.text, `${row.name} (${syntax})`).not.toMatch(/^\.8byte|<unknown>/);
      }
    }
  });

  it('no two rows print the same rbpf text for the same fields', () => {
    const seen = new Map<string, string>();
    for (const row of OPCODE_TABLE) {
      const text = disassemble(variantsOf(row, 'rbpf')[0]);
      expect(
        seen.get(text),
        `${row.name} and ${seen.get(text)} both print ${text}`,
      ).toBeUndefined();
      seen.set(text, row.name);
    }
  });

  it('every llvm-insns.txt golden (text checked by llvm-mc-19) assembles back to its bytes', () => {
    const failures: string[] = [];
    const lines = readGoldenLines('llvm-insns.txt');
    for (const line of lines) {
      let back: string;
      try {
        back = hex(assemble(line.text, { syntax: 'llvm' }));
      } catch (e) {
        back = `error: ${(e as Error).message.split('\n')[0]}`;
      }
      if (back !== line.hex)
        failures.push(`${line.lineNo}: "${line.text}" -> ${back}, LLVM ${line.hex}`);
    }
    expect(failures).toEqual([]);
    expect(lines.length).toBeGreaterThan(700);
  });
});
