import { describe, expect, it } from 'vitest';
import {
  DEFAULT_GROUPS,
  EbpfError,
  ERROR_CODE_RANGES,
  expandGroups,
  isEbpfError,
  lookupRow,
  OPCODE_TABLE,
  opcodes,
  rowByName,
} from '../src/index.js';

describe('opcodes() overlays', () => {
  it('leaves out the legacy packet loads and callx by default', () => {
    const set = opcodes();
    expect(set.has(rowByName('ldabsw'))).toBe(false);
    expect(set.has(rowByName('callx'))).toBe(false);
    expect(set.rows.length).toBe(OPCODE_TABLE.length - 7);
    expect(expandGroups(DEFAULT_GROUPS)).toEqual(
      new Set(['base64', 'base32', 'atomic64', 'atomic32', 'divmul64', 'divmul32']),
    );
  });

  it('keeps only what a CPU version has', () => {
    const v1 = opcodes({ cpu: 'v1' });
    expect(v1.has(rowByName('jlt_imm'))).toBe(false);
    expect(opcodes({ cpu: 'v2' }).has(rowByName('jlt_imm'))).toBe(true);
    expect(opcodes({ cpu: 'v2' }).has(rowByName('jlt32_imm'))).toBe(false);
    expect(opcodes({ cpu: 'v3' }).has(rowByName('atomic_cmpxchg64'))).toBe(true);
    expect(opcodes({ cpu: 'v3' }).has(rowByName('sdiv64_imm'))).toBe(false);
    for (const row of v1.rows) expect(row.cpu).toBe('v1');
  });

  it('implies included groups: base64 brings base32, divmul64 brings divmul32', () => {
    const set = opcodes({ groups: ['base64', 'divmul64'] });
    expect(set.has(rowByName('add32_imm'))).toBe(true);
    expect(set.has(rowByName('div32_reg'))).toBe(true);
    expect(set.has(rowByName('atomic_add32'))).toBe(false);
    const only32 = opcodes({ groups: ['base32'] });
    expect(only32.has(rowByName('add64_imm'))).toBe(false);
    expect(only32.has(rowByName('lddw'))).toBe(false);
  });

  it('looks up only allowed forms', () => {
    const v3 = opcodes({ cpu: 'v3' });
    const sdiv = rowByName('sdiv64_reg');
    expect(lookupRow(sdiv.opcode, 1, 1, 0)).toBe(sdiv);
    expect(v3.lookup(sdiv.opcode, 1, 1, 0)).toBeUndefined();
    expect(v3.lookup(sdiv.opcode, 1, 0, 0)).toBe(rowByName('div64_reg'));
  });
});

describe('EbpfError', () => {
  it('carries code, name, kind, pc and context, and serialises bigints', () => {
    const e = new EbpfError(
      'runtime',
      1999,
      'TEST',
      'insn 3: boom',
      { addr: 1n << 40n },
      { pc: 3 },
    );
    expect(isEbpfError(e)).toBe(true);
    expect(isEbpfError(e, 1999)).toBe(true);
    expect(isEbpfError(e, 1998)).toBe(false);
    expect(isEbpfError(new Error('x'))).toBe(false);
    expect(e.toJSON()).toEqual({
      name: 'EbpfError',
      kind: 'runtime',
      code: 1999,
      codeName: 'TEST',
      message: 'insn 3: boom',
      pc: 3,
      context: { addr: '1099511627776' },
    });
  });

  it('reserves disjoint, ordered code ranges per package', () => {
    const ranges = Object.values(ERROR_CODE_RANGES);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i][0]).toBeGreaterThan(ranges[i - 1][1]);
  });
});
