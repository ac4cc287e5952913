import { encode, OPCODE_TABLE, type OpcodeRow } from '@ebpf/isa';
import { describe, expect, it } from 'vitest';
import { assemble, assembleProgram } from '../src/index.js';
import { type Fields, insnOf, llvmText, rbpfText, type TextStyle } from './support/row-text.js';

// Field values to walk: registers at both ends, offsets and immediates at their extremes.
const REGS: readonly (readonly [number, number])[] = [
  [0, 10],
  [10, 0],
  [3, 7],
  [1, 1],
  [9, 2],
];
const OFFS = [0, -1, 0x7fff, -0x8000, 5];
const IMMS = [0, -1, 0x7fff_ffff, -0x8000_0000, 0x605];
const IMM64S = [0n, 0xffff_ffff_ffff_ffffn, 1n << 63n, 0x1122_3344_5566_7788n, 0x7fff_ffffn];

/** The field sets of one row: operand fields vary, every other field keeps the form's value. */
function variants(row: OpcodeRow): Fields[] {
  return REGS.map(([dst, src], i) => {
    const uses = (f: 'dst' | 'src' | 'off' | 'imm') => row.uses.includes(f);
    const imm64 = row.kind === 'lddw' ? IMM64S[i] : undefined;
    return {
      dst: uses('dst') ? dst : 0,
      src: uses('src') ? src : (row.match.src ?? 0),
      off: uses('off') ? OFFS[i] : (row.match.off ?? 0),
      imm:
        imm64 !== undefined
          ? Number(BigInt.asIntN(32, imm64))
          : uses('imm')
            ? IMMS[i]
            : (row.match.imm ?? 0),
      ...(imm64 === undefined ? {} : { imm64 }),
    };
  });
}

const STYLES: readonly TextStyle[] = [
  { hex: false, percent: false },
  { hex: true, percent: true },
];

describe('every row of OPCODE_TABLE assembles to encode() of its fields', () => {
  it('rbpf syntax (plain and bpf_conformance style)', () => {
    let checked = 0;
    for (const row of OPCODE_TABLE) {
      for (const fields of variants(row)) {
        for (const style of STYLES) {
          const text = rbpfText(row, fields, style);
          const got = assembleProgram(text);
          expect(
            got.insns.map((i) => i.row.name),
            text,
          ).toEqual([row.name]);
          expect(got.bytes, text).toEqual(encode([insnOf(row, fields)]));
          checked++;
        }
      }
    }
    expect(checked).toBe(OPCODE_TABLE.length * REGS.length * STYLES.length);
  });

  it('LLVM syntax', () => {
    for (const row of OPCODE_TABLE) {
      for (let fields of variants(row)) {
        // ld_pseudo carries one 32-bit immediate; the second slot stays zero.
        if (row.kind === 'lddw' && row.match.src !== 0) {
          fields = { ...fields, imm64: BigInt(fields.imm >>> 0) };
        }
        for (const style of STYLES) {
          const text = llvmText(row, fields, { ...style, percent: false });
          const got = assembleProgram(text, { syntax: 'llvm' });
          expect(
            got.insns.map((i) => i.row.name),
            text,
          ).toEqual([row.name]);
          expect(got.bytes, text).toEqual(encode([insnOf(row, fields)]));
        }
      }
    }
  });

  it('whole programs: insns carry the decoded fields and their source lines', () => {
    const rows = OPCODE_TABLE.filter(
      (r) => r.kind !== 'ja' && r.kind !== 'jcond' && r.op !== 'call_local',
    );
    const fields = rows.map((r) => variants(r)[2]);
    const text = rows.map((r, i) => rbpfText(r, fields[i], STYLES[0])).join('\n');
    const program = assembleProgram(text);
    expect(program.bytes).toEqual(encode(rows.map((r, i) => insnOf(r, fields[i]))));
    expect(program.insns.map((i) => i.line)).toEqual(rows.map((_, i) => i + 1));
    let pc = 0;
    for (const insn of program.insns) {
      expect(insn.pc).toBe(pc);
      pc += insn.row.slots;
    }
    expect(assemble(text)).toEqual(program.bytes);
  });
});
