import { OPCODE_TABLE, type OpcodeRow } from '@ebpf/isa';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EbpfVmNoData } from '../src/index.js';
import {
  exit,
  ins,
  insOf,
  lddw,
  mov0,
  program,
  referenceAlu,
  referenceJump,
} from './support/program.js';

const SPECIAL = [
  0n,
  1n,
  2n,
  31n,
  32n,
  33n,
  63n,
  64n,
  0x7fn,
  0x80n,
  0xffn,
  0x7fffn,
  0x8000n,
  0xffffn,
  0x7fff_ffffn,
  0x8000_0000n,
  0xffff_ffffn,
  0x1_0000_0000n,
  0x7fff_ffff_ffff_ffffn,
  0x8000_0000_0000_0000n,
  0xffff_ffff_ffff_ffffn,
  0xffff_ffff_8000_0000n,
  0x1234_5678_9abc_def0n,
];
const u64Arb = fc.oneof(
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  fc.constantFrom(...SPECIAL),
  fc.bigInt({ min: 0n, max: 70n }),
);
const immArb = fc.oneof(
  fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff }),
  fc.constantFrom(0, 1, -1, 31, 32, 63, 64, -0x8000_0000, 0x7fff_ffff, 0xff, 0xffff),
);

const aluRows = OPCODE_TABLE.filter((r) => ['alu', 'neg', 'movsx', 'endian'].includes(r.kind));
const jumpRows = OPCODE_TABLE.filter((r) => r.kind === 'jcond');

function runAlu(vm: EbpfVmNoData, row: OpcodeRow, a: bigint, b: bigint, imm: number): bigint {
  const op =
    row.source === 'imm'
      ? insOf(row, { dst: 1, imm })
      : row.source === 'reg'
        ? insOf(row, { dst: 1, src: 2 })
        : insOf(row, { dst: 1 });
  vm.setProgram(program(lddw(1, a), lddw(2, b), op, mov0(1), exit()));
  return vm.executeProgram();
}

describe('every ALU form agrees with a BigInt reference over random operands', () => {
  it('covers every ALU-like row of the table', () => {
    expect(aluRows.length).toBeGreaterThan(60);
  });
  for (const row of aluRows) {
    it(row.name, () => {
      const vm = new EbpfVmNoData();
      fc.assert(
        fc.property(u64Arb, u64Arb, immArb, (a, b, imm) => {
          const operand = row.source === 'imm' ? BigInt.asUintN(64, BigInt(imm)) : b;
          expect(runAlu(vm, row, a, b, imm)).toBe(referenceAlu(row, a, operand));
        }),
        { numRuns: 150 },
      );
    });
  }
});

describe('every conditional jump agrees with a BigInt reference', () => {
  for (const row of jumpRows) {
    it(row.name, () => {
      const vm = new EbpfVmNoData();
      fc.assert(
        fc.property(u64Arb, u64Arb, immArb, fc.boolean(), (a, b0, imm, same) => {
          const b = same ? a : b0;
          const j =
            row.source === 'imm'
              ? insOf(row, { dst: 1, imm: same ? Number(BigInt.asIntN(32, a)) : imm, off: 2 })
              : insOf(row, { dst: 1, src: 2, off: 2 });
          vm.setProgram(
            program(
              lddw(1, a),
              lddw(2, b),
              j,
              ins('mov64_imm', { dst: 0, imm: 0 }),
              exit(),
              ins('mov64_imm', { dst: 0, imm: 1 }),
              exit(),
            ),
          );
          const operand =
            row.source === 'imm'
              ? BigInt.asUintN(64, BigInt(same ? Number(BigInt.asIntN(32, a)) : imm))
              : b;
          expect(vm.executeProgram()).toBe(referenceJump(row, a, operand) ? 1n : 0n);
        }),
        { numRuns: 100 },
      );
    });
  }
});
