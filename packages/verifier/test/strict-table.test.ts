import { CONFORMANCE_GROUPS, OPCODE_TABLE, type OpcodeRow } from '@ebpf/isa';
import { describe, expect, it } from 'vitest';
import { strict } from '../src/index.js';
import { MAPS } from './corpus/hosts.js';
import { bytesOf, insn } from './helpers/program.js';

/** A safe program around one instance of `row`: registers written, a stack slot initialised. */
function programFor(row: OpcodeRow): Uint8Array {
  const prologue = [
    insn('mov64_imm', { dst: 0, imm: 1 }),
    insn('mov64_imm', { dst: 2, imm: 2 }),
    insn('mov64_imm', { dst: 3, imm: 3 }),
    insn('mov64_imm', { dst: 4, imm: 5 }),
    insn('mov64_imm', { dst: 5, imm: 5 }),
    insn('mov64_reg', { dst: 6, src: 1 }),
    insn('stdw', { dst: 10, off: -8, imm: 0 }),
  ];
  const exit = insn('exit');
  const f: Record<string, number> = {};
  switch (row.kind) {
    case 'alu':
      Object.assign(f, {
        dst: 2,
        src: row.source === 'reg' ? 3 : 0,
        imm: row.source === 'imm' ? 1 : 0,
      });
      break;
    case 'neg':
    case 'endian':
      f.dst = 2;
      break;
    case 'movsx':
      Object.assign(f, { dst: 2, src: 3 });
      break;
    case 'load':
      Object.assign(f, { dst: 2, src: 10, off: -8 });
      break;
    case 'store':
      Object.assign(f, {
        dst: 10,
        off: -8,
        src: row.source === 'reg' ? 3 : 0,
        imm: row.source === 'imm' ? 7 : 0,
      });
      break;
    case 'atomic':
      Object.assign(f, { dst: 10, off: -8, src: 3 });
      break;
    case 'jcond':
      Object.assign(f, {
        dst: 2,
        src: row.source === 'reg' ? 3 : 0,
        imm: row.source === 'imm' ? 1 : 0,
      });
      break;
    case 'callx':
      f.dst = 4;
      break;
    case 'call':
      f.imm = row.op === 'call_local' ? 1 : 5;
      break;
    case 'lddw':
      Object.assign(f, { dst: 2, imm: 1 });
      break;
    case 'packet':
      Object.assign(f, { src: row.op === 'ldind' ? 3 : 0, imm: 1 });
      break;
    default:
      break;
  }
  if (row.kind === 'exit') return bytesOf(...prologue, exit);
  // A code address names a function (a callback), like a local call's target: one after exit.
  const code = row.name === 'lddw_code_addr';
  const i = insn(row.name, { ...f, ...(row.kind === 'lddw' ? { imm64: code ? 2n : 1n } : {}) });
  const tail =
    row.op === 'call_local' || code ? [exit, insn('mov64_imm', { dst: 0, imm: 0 }), exit] : [exit];
  return bytesOf(...prologue, i, ...tail);
}

describe('strict: complete over the ISA table', () => {
  const verifier = strict();
  it.each(OPCODE_TABLE.map((r) => [r.name, r] as const))(
    '%s: a safe instance is accepted',
    (_n, row) => {
      const result = verifier.verify({
        bytes: programFor(row),
        host: { context: { size: 16 }, maps: MAPS, groups: CONFORMANCE_GROUPS },
      });
      expect(result.problems.map((p) => `${p.codeName}@${p.pc}: ${p.message}`)).toEqual([]);
    },
  );
});
