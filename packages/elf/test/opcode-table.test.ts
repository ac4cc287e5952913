import { decode, encode, type Insn, OPCODE_TABLE, type OpcodeRow, rowByName } from '@ebpf/isa';
import { describe, expect, test } from 'vitest';
import { BpfReloc, loadBpfObject, SymbolType } from '../src/index.js';
import { buildElf } from './support/build-elf.js';

/** An instance of `row` with every operand field set to something non-trivial. */
function instanceOf(row: OpcodeRow): Insn {
  const pick = (field: 'dst' | 'src' | 'off' | 'imm', used: number) =>
    row.match[field] ?? (row.uses.includes(field) ? used : 0);
  const insn = {
    opcode: row.opcode,
    dst: pick('dst', 3),
    src: pick('src', 4),
    // A local call's immediate is relative: 0 lands on the next instruction (the exit).
    off: pick('off', row.kind === 'jcond' || row.kind === 'ja' ? 1 : 8),
    imm: row.op === 'call_local' ? 0 : pick('imm', 7),
  };
  return row.slots === 2 ? { ...insn, imm64: 7n } : insn;
}

const exit: Insn = { opcode: rowByName('exit').opcode, dst: 0, src: 0, off: 0, imm: 0 };

function objectWith(code: Uint8Array) {
  return buildElf({
    sections: [{ name: 'xdp', data: code }],
    symbols: [{ name: 'prog', section: 'xdp', size: code.length, type: SymbolType.FUNC }],
  }).bytes;
}

describe('every row of OPCODE_TABLE passes through the loader', () => {
  test.each(OPCODE_TABLE.map((row) => [row.name, row] as const))(
    '%s is linked unchanged',
    (_name, row) => {
      const code = encode([instanceOf(row), exit]);
      const [program] = loadBpfObject(objectWith(code)).programs;
      expect(program.bytes).toEqual(code);
      const insns = decode(program.bytes);
      expect(insns[0].row).toBe(row);
      expect(program.relocations.map((r) => r.kind)).toEqual(
        row.op === 'call_local' ? ['call'] : [],
      );
    },
  );

  test.each(OPCODE_TABLE.filter((r) => r.kind === 'lddw').map((r) => [r.name] as const))(
    '%s with a relocation to global data becomes lddw_map_value_idx',
    (name) => {
      const code = encode([{ ...instanceOf(rowByName(name)), imm: 4, imm64: 4n }, exit]);
      const bytes = buildElf({
        sections: [
          { name: 'xdp', data: code },
          { name: '.data', flags: 3, data: new Uint8Array(16) },
        ],
        symbols: [
          { name: 'prog', section: 'xdp', size: code.length },
          { name: 'var', section: '.data', value: 8, size: 8, type: SymbolType.OBJECT },
        ],
        relocations: { xdp: [{ offset: 0, type: BpfReloc.R_BPF_64_64, symbol: 'var' }] },
      }).bytes;
      const [program] = loadBpfObject(bytes).programs;
      const [insn] = decode(program.bytes);
      expect(insn.row.name).toBe('lddw_map_value_idx');
      expect(insn.imm).toBe(0);
      expect(insn.imm64! >> 32n).toBe(12n); // symbol value 8 + addend 4
      expect(insn.dst).toBe(3);
    },
  );

  test('a relocation on anything but lddw or call is refused', () => {
    for (const row of OPCODE_TABLE) {
      for (const type of [BpfReloc.R_BPF_64_64, BpfReloc.R_BPF_64_32]) {
        const fits =
          type === BpfReloc.R_BPF_64_64
            ? row.kind === 'lddw'
            : row.opcode === rowByName('call').opcode;
        // What clang leaves in the field: the addend, -1 for a call to a function symbol.
        const base = instanceOf(row);
        const insn =
          row.slots === 2
            ? { ...base, imm: 0, imm64: 0n }
            : { ...base, imm: type === BpfReloc.R_BPF_64_32 ? -1 : base.imm };
        const code = encode([insn, exit]);
        const bytes = buildElf({
          sections: [
            { name: 'xdp', data: code },
            { name: '.text', data: encode([exit]) },
          ],
          symbols: [
            { name: 'prog', section: 'xdp', size: code.length },
            { name: 'sub', section: '.text', size: 8, bind: 0 },
          ],
          relocations: { xdp: [{ offset: 0, type, symbol: 'sub' }] },
        }).bytes;
        if (fits) {
          const [program] = loadBpfObject(bytes).programs;
          expect(program.functions.map((f) => f.name)).toEqual(['prog', 'sub']);
        } else {
          expect(() => loadBpfObject(bytes), row.name).toThrow(/not (lddw|call)/);
        }
      }
    }
  });
});
