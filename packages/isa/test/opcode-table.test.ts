import { describe, expect, it } from 'vitest';
import {
  CONFORMANCE_GROUPS,
  CPU_VERSIONS,
  OPCODE_TABLE,
  type OpcodeRow,
  ROWS_BY_MNEMONIC,
  ROWS_BY_NAME,
  ROWS_BY_OPCODE,
} from '../src/index.js';

/**
 * An independent reading of RFC 9669's encoding rules, from the opcode's bit fields alone: which
 * bytes are instructions, and what each one is. The table must agree with it byte for byte.
 */
function expectedFromBits(opcode: number): { kind: string; width: number; size: number } | null {
  const cls = opcode & 7;
  const hi = opcode & 0xf0;
  const x = (opcode & 8) !== 0;
  const mode = opcode & 0xe0;
  const size = [4, 2, 1, 8][(opcode >> 3) & 3];
  switch (cls) {
    case 4:
    case 7: {
      const width = cls === 4 ? 32 : 64;
      if (hi > 0xd0) return null;
      if (hi === 0x80) return x ? null : { kind: 'neg', width, size: 0 };
      if (hi === 0xd0) return cls === 7 && x ? null : { kind: 'endian', width: 64, size: 0 };
      return { kind: hi === 0xb0 && x ? 'alu|movsx' : 'alu', width, size: 0 };
    }
    case 5:
    case 6: {
      const width = cls === 5 ? 64 : 32;
      if (hi > 0xd0) return null;
      if (hi === 0x00) return x ? null : { kind: 'ja', width, size: 0 };
      if (hi === 0x80) {
        if (cls === 6) return null;
        return { kind: x ? 'callx' : 'call', width: 64, size: 0 };
      }
      if (hi === 0x90) return cls === 5 && !x ? { kind: 'exit', width: 64, size: 0 } : null;
      return { kind: 'jcond', width, size: 0 };
    }
    case 0:
      if (opcode === 0x18) return { kind: 'lddw', width: 64, size: 0 };
      if ((mode === 0x20 || mode === 0x40) && size !== 8)
        return { kind: 'packet', width: 32, size };
      return null;
    case 1:
      if (mode === 0x60) return { kind: 'load', width: 64, size };
      if (mode === 0x80 && size !== 8) return { kind: 'load', width: 64, size };
      return null;
    case 2:
      return mode === 0x60 ? { kind: 'store', width: 64, size } : null;
    case 3:
      if (mode === 0x60) return { kind: 'store', width: 64, size };
      if (mode === 0xc0 && (size === 4 || size === 8))
        return { kind: 'atomic', width: size * 8, size };
      return null;
    default:
      return null;
  }
}

describe('OPCODE_TABLE', () => {
  it('agrees with the RFC 9669 bit-field rules on every one of the 256 opcode bytes', () => {
    for (let opcode = 0; opcode < 256; opcode++) {
      const expected = expectedFromBits(opcode);
      const rows = ROWS_BY_OPCODE[opcode];
      if (expected === null) {
        expect(rows, `opcode 0x${opcode.toString(16)}`).toHaveLength(0);
        continue;
      }
      expect(rows.length, `opcode 0x${opcode.toString(16)}`).toBeGreaterThan(0);
      for (const row of rows) {
        expect(expected.kind.split('|'), row.name).toContain(row.kind);
        expect(row.width, row.name).toBe(expected.width);
        expect(row.size, row.name).toBe(expected.size);
      }
    }
  });

  it('has 171 forms, each with a unique name and a dense id', () => {
    expect(OPCODE_TABLE).toHaveLength(171);
    expect(ROWS_BY_NAME.size).toBe(OPCODE_TABLE.length);
    expect(OPCODE_TABLE.map((row) => row.id)).toEqual(OPCODE_TABLE.map((_, i) => i));
  });

  it('tells forms that share an opcode apart by exactly one field with distinct values', () => {
    for (const rows of ROWS_BY_OPCODE) {
      if (rows.length < 2) continue;
      const fields = new Set(rows.flatMap((r) => Object.keys(r.match)));
      expect(fields.size, rows[0].name).toBe(1);
      const [field] = [...fields] as (keyof OpcodeRow['match'])[];
      const values = rows.map((r) => r.match[field]);
      expect(new Set(values).size, rows[0].name).toBe(rows.length);
      expect(values.every((v) => v !== undefined)).toBe(true);
    }
  });

  it('never lists a discriminating field as an operand', () => {
    for (const row of OPCODE_TABLE) {
      for (const field of Object.keys(row.match)) {
        expect(row.uses, row.name).not.toContain(field);
      }
    }
  });

  it('names source operands consistently with the source bit', () => {
    for (const row of OPCODE_TABLE) {
      if (row.kind === 'alu' || row.kind === 'jcond') {
        expect(row.source, row.name).toBe((row.opcode & 8) !== 0 ? 'reg' : 'imm');
        expect(row.uses.includes('src'), row.name).toBe(row.source === 'reg');
        expect(row.uses.includes('imm'), row.name).toBe(row.source === 'imm');
      }
    }
  });

  it('carries a known group and CPU version on every row', () => {
    for (const row of OPCODE_TABLE) {
      expect(CONFORMANCE_GROUPS).toContain(row.group);
      expect(CPU_VERSIONS).toContain(row.cpu);
    }
  });

  it('puts 64-bit operations in the 64-bit groups and 32-bit ones in the 32-bit groups', () => {
    for (const row of OPCODE_TABLE) {
      if (row.cls === 'ALU' && row.kind !== 'endian') expect(row.group, row.name).toMatch(/32$/);
      if (row.cls === 'ALU64' && row.kind !== 'endian') expect(row.group, row.name).toMatch(/64$/);
      if (row.kind === 'atomic') expect(row.group).toBe(`atomic${row.width}`);
      if (row.op === 'mul' || row.op.endsWith('div') || row.op.endsWith('mod')) {
        expect(row.group).toBe(`divmul${row.width}`);
      }
    }
  });

  it('dates the v4 additions to v4 (signed div/mod, movsx, ldxs, bswap, ja32)', () => {
    const v4 = OPCODE_TABLE.filter((r) => r.cpu === 'v4').map((r) => r.op);
    expect(new Set(v4)).toEqual(new Set(['sdiv', 'smod', 'movsx', 'ldxs', 'bswap', 'ja']));
    expect(OPCODE_TABLE.filter((r) => r.cls === 'JMP32').every((r) => r.cpu !== 'v1')).toBe(true);
  });

  it('groups mnemonics without losing rows', () => {
    let total = 0;
    for (const rows of ROWS_BY_MNEMONIC.values()) total += rows.length;
    expect(total).toBe(OPCODE_TABLE.length);
    expect(ROWS_BY_MNEMONIC.get('add64')?.map((r) => r.source)).toEqual(['imm', 'reg']);
    expect(ROWS_BY_MNEMONIC.get('lddw')).toHaveLength(7);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(OPCODE_TABLE)).toBe(true);
    expect(Object.isFrozen(OPCODE_TABLE[0])).toBe(true);
    expect(Object.isFrozen(OPCODE_TABLE[0].match)).toBe(true);
  });
});
