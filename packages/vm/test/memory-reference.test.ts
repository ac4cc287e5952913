import { OPCODE_TABLE, type OpcodeRow } from '@ebpf/isa';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EbpfVmRaw } from '../src/index.js';
import { exit, ins, insOf, lddw, program } from './support/program.js';
import { ALL } from './support/vm.js';

const u64 = fc.oneof(
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  fc.constantFrom(0n, 0xffn, 0x80n, 0x8000n, 0x8000_0000n, (1n << 64n) - 1n, 1n << 63n),
);
const imm32 = fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff });

const readLe = (b: Uint8Array, at: number, size: number) => {
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[at + i]);
  return v;
};
const writeLe = (b: Uint8Array, at: number, size: number, v: bigint) => {
  for (let i = 0; i < size; i++) b[at + i] = Number((v >> BigInt(8 * i)) & 0xffn);
};

/** Reference of an atomic row: the new memory value, the new src and r0. */
function referenceAtomic(row: OpcodeRow, old: bigint, src: bigint, r0: bigint) {
  const bits = row.width;
  const mask = (1n << BigInt(bits)) - 1n;
  const s = src & mask;
  const base = row.op.replace('atomic_', '').replace('fetch_', '');
  const fetch = row.op.includes('fetch') || base === 'xchg';
  let mem = old;
  switch (base) {
    case 'add':
      mem = (old + s) & mask;
      break;
    case 'or':
      mem = old | s;
      break;
    case 'and':
      mem = old & s;
      break;
    case 'xor':
      mem = old ^ s;
      break;
    case 'xchg':
      mem = s;
      break;
    case 'cmpxchg':
      mem = old === (r0 & mask) ? s : old;
      break;
  }
  return {
    mem,
    src: fetch ? old : src,
    r0: base === 'cmpxchg' ? old : r0,
  };
}

describe('every load, store and atomic form agrees with a reference', () => {
  const rows = OPCODE_TABLE.filter(
    (r) => r.kind === 'load' || r.kind === 'store' || r.kind === 'atomic',
  );
  it('covers every memory form of the table', () => {
    expect(rows.length).toBe(7 + 4 + 4 + 20);
  });
  for (const row of rows) {
    it(row.name, () => {
      const vm = new EbpfVmRaw(undefined, ALL);
      /** Runs the form with r1 = input, r2 = src, r0 = r0In, r3 = 0x5555; returns register `reg` and the memory after. */
      const observe = (
        reg: number,
        memIn: Uint8Array,
        src: bigint,
        r0In: bigint,
        imm: number,
        off: number,
      ) => {
        const op =
          row.kind === 'load'
            ? insOf(row, { dst: 3, src: 1, off })
            : row.kind === 'store' && row.source === 'imm'
              ? insOf(row, { dst: 1, off, imm })
              : insOf(row, { dst: 1, src: 2, off });
        vm.setProgram(
          program(
            lddw(2, src),
            lddw(0, r0In),
            lddw(3, 0x5555n),
            op,
            ins('mov64_reg', { dst: 0, src: reg }),
            exit(),
          ),
        );
        const mem = new Uint8Array(memIn);
        return { value: vm.run({ mem }).r0, mem };
      };
      fc.assert(
        fc.property(
          u64,
          u64,
          u64,
          imm32,
          fc.integer({ min: 0, max: 2 }),
          fc.boolean(),
          (memValue, src, r0Any, imm, slot, same) => {
            // Half the time r0 equals the memory, so cmpxchg takes both of its paths.
            const r0In = same ? memValue : r0Any;
            const off = slot * 8;
            const memIn = new Uint8Array(24);
            writeLe(memIn, off, 8, memValue);
            const size = row.size;
            const old = readLe(memIn, off, size);
            if (row.kind === 'load') {
              const signed =
                row.op === 'ldxs' ? BigInt.asUintN(64, BigInt.asIntN(size * 8, old)) : old;
              expect(observe(3, memIn, src, r0In, imm, off).value).toBe(signed);
              return;
            }
            if (row.kind === 'store') {
              const value = row.source === 'imm' ? BigInt.asUintN(64, BigInt(imm)) : src;
              const expected = new Uint8Array(memIn);
              writeLe(expected, off, size, value & ((1n << BigInt(8 * size)) - 1n));
              expect(observe(0, memIn, src, r0In, imm, off).mem).toEqual(expected);
              return;
            }
            const ref = referenceAtomic(row, old, src, r0In);
            const expectedMem = new Uint8Array(memIn);
            writeLe(expectedMem, off, size, ref.mem);
            const r0Run = observe(0, memIn, src, r0In, imm, off);
            expect(r0Run.mem).toEqual(expectedMem);
            expect(r0Run.value).toBe(ref.r0);
            expect(observe(2, memIn, src, r0In, imm, off).value).toBe(ref.src);
          },
        ),
        { numRuns: 60 },
      );
    });
  }
});
