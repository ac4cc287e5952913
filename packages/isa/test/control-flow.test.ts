import { describe, expect, it } from 'vitest';
import {
  branchField,
  branchTarget,
  decode,
  encode,
  fallsThrough,
  OPCODE_TABLE,
  rowByName,
  writtenOperand,
} from '../src/index.js';

describe('control-flow roles', () => {
  it('counts jump distances from the next slot, in the offset or the immediate', () => {
    const bytes = encode([
      { opcode: rowByName('ja').opcode, dst: 0, src: 0, off: -1, imm: 0 },
      { opcode: rowByName('ja32').opcode, dst: 0, src: 0, off: 0, imm: 2 },
      { opcode: rowByName('jeq_imm').opcode, dst: 1, src: 0, off: 0, imm: 3 },
      { opcode: rowByName('call_local').opcode, dst: 0, src: 1, off: 0, imm: -4 },
      { opcode: rowByName('call').opcode, dst: 0, src: 0, off: 0, imm: 5 },
      { opcode: rowByName('exit').opcode, dst: 0, src: 0, off: 0, imm: 0 },
    ]);
    expect(decode(bytes).map(branchTarget)).toEqual([0, 4, 3, 0, undefined, undefined]);
  });

  it('gives exactly the jumps and local calls a branch field', () => {
    for (const row of OPCODE_TABLE) {
      const branches = row.kind === 'ja' || row.kind === 'jcond' || row.op === 'call_local';
      expect(branchField(row) !== undefined, row.name).toBe(branches);
      if (branches) expect(row.uses, row.name).toContain(branchField(row));
    }
  });

  it('stops the fall-through only after unconditional jumps and exit', () => {
    expect(OPCODE_TABLE.filter((r) => !fallsThrough(r)).map((r) => r.name)).toEqual([
      'ja',
      'ja32',
      'exit',
    ]);
  });

  it('names the written register operand of every form that has one', () => {
    const writers = OPCODE_TABLE.filter((r) => writtenOperand(r) !== undefined);
    for (const row of writers) expect(row.uses, row.name).toContain(writtenOperand(row));
    expect(writtenOperand(rowByName('stxdw'))).toBeUndefined();
    expect(writtenOperand(rowByName('atomic_add64'))).toBeUndefined();
    expect(writtenOperand(rowByName('atomic_fetch_add64'))).toBe('src');
    expect(writtenOperand(rowByName('atomic_xchg32'))).toBe('src');
    expect(writtenOperand(rowByName('atomic_cmpxchg64'))).toBeUndefined();
    expect(writtenOperand(rowByName('ldxsb'))).toBe('dst');
    expect(writtenOperand(rowByName('lddw_map_fd'))).toBe('dst');
  });
});
