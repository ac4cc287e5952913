import { encode, type Insn, OPCODE_TABLE, type OpcodeRow, rowByName } from '@ebpf/isa';
import { describe, expect, it } from 'vitest';
import { compile } from '../src/index.js';
import { createTestVm, runOn } from './support/differential.js';

const wasm = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } })
  .WebAssembly;

const VALUES: readonly bigint[] = [
  0n,
  1n,
  3n,
  0xffff_ffff_ffff_ffffn,
  0x8000_0000_0000_0000n,
  0x7fff_ffffn,
  0x8000_0000n,
  0x1234_5678_9abc_def0n,
  63n,
  64n,
  0xffff_ffffn,
  0xffff_ffff_8000_0000n,
];
const IMMS = [0, 1, -1, 3, 63, 64, -0x8000_0000, 0x7fff_ffff, 16, 32];

const ins = (name: string, f: Partial<Insn> = {}): Insn => {
  const row = rowByName(name);
  return { opcode: row.opcode, dst: 0, src: 0, off: 0, imm: 0, ...row.match, ...f };
};
const lddw = (dst: number, v: bigint) => ins('lddw', { dst, imm64: v });

/** A small program that runs `row` once on the operands, and leaves what it did in r0. */
function programFor(row: OpcodeRow, a: bigint, b: bigint, imm: number): Uint8Array {
  const the: Insn = { opcode: row.opcode, dst: 3, src: 4, off: 0, imm, ...row.match };
  const pro: Insn[] = [
    lddw(3, a),
    lddw(4, b),
    ins('mov64_reg', { dst: 5, src: 10 }),
    ins('add64_imm', { dst: 5, imm: -16 }),
    ins('stxdw', { dst: 5, src: 4 }),
    ins('stxdw', { dst: 1, src: 3 }),
  ];
  const exit = ins('exit');
  const r0From = (r: number) => ins('mov64_reg', { dst: 0, src: r });
  switch (row.kind) {
    case 'alu':
    case 'neg':
    case 'movsx':
    case 'endian':
      return encode([...pro, the, r0From(3), exit]);
    case 'ja':
    case 'jcond':
      return encode([
        ...pro,
        ins('mov64_imm', { imm: 2 }),
        { ...the, off: 1, ...(row.kind === 'ja' && row.width === 32 ? { imm: 1 } : {}) },
        ins('mov64_imm', { imm: 1 }),
        exit,
      ]);
    case 'load':
      return encode([...pro, { ...the, dst: 0, src: imm % 2 === 0 ? 5 : 1, off: imm & 3 }, exit]);
    case 'store':
      return encode([
        ...pro,
        { ...the, dst: imm % 2 === 0 ? 5 : 1, src: 3, off: imm & 4 },
        ins('ldxdw', { dst: 0, src: 5 }),
        ins('ldxdw', { dst: 6, src: 1 }),
        ins('xor64_reg', { dst: 0, src: 6 }),
        exit,
      ]);
    case 'atomic':
      return encode([
        ...pro,
        ins('mov64_reg', { dst: 0, src: 4 }),
        { ...the, dst: imm % 2 === 0 ? 5 : 1, src: 3 },
        ins('ldxdw', { dst: 6, src: 5 }),
        ins('add64_reg', { dst: 0, src: 6 }),
        ins('add64_reg', { dst: 0, src: 3 }),
        exit,
      ]);
    case 'call':
      if (row.op === 'call_local') {
        return encode([
          ...pro,
          { ...the, imm: 1 },
          exit,
          ins('mov64_reg', { dst: 0, src: 1 }),
          exit,
        ]);
      }
      return encode([...pro, ins('mov64_reg', { dst: 1, src: 3 }), { ...the, imm: 5 }, exit]);
    case 'callx':
      return encode([
        ...pro,
        ins('mov64_reg', { dst: 1, src: 3 }),
        ins('mov64_imm', { dst: 6, imm: 5 }),
        { ...the, dst: 6 },
        exit,
      ]);
    case 'exit':
      return encode([...pro, r0From(4), the]);
    case 'lddw':
      return encode([...pro, { ...the, dst: 0, imm64: a }, exit]);
    case 'packet':
      return encode([
        ...pro,
        ins('mov64_imm', { dst: 4, imm: imm & 7 }),
        { ...the, imm: imm & 15 },
        exit,
      ]);
  }
}

describe('every form of the ISA table through both engines', () => {
  for (const row of OPCODE_TABLE) {
    it(`${row.name}: the JIT lowers it and agrees with the interpreter`, () => {
      let runs = 0;
      for (let i = 0; i < VALUES.length; i++) {
        for (const imm of i % 3 === 0
          ? [IMMS[i % IMMS.length], IMMS[(i + 3) % IMMS.length]]
          : [IMMS[i % IMMS.length]]) {
          const a = VALUES[i];
          const b = VALUES[(((i * 5 + imm + 12) % VALUES.length) + VALUES.length) % VALUES.length];
          const bytes = programFor(row, a, b, imm);
          expect(wasm.validate(compile(bytes).bytes)).toBe(true);
          const vm = createTestVm(bytes);
          const mem = new Uint8Array(24).map((_, k) => k * 37);
          const interp = runOn(vm, 'interp', mem, 1000);
          expect(runOn(vm, 'jit', mem, 1000)).toEqual(interp);
          expect(runOn(vm, 'jit', mem, undefined)).toEqual(interp);
          runs++;
        }
      }
      expect(runs).toBe(VALUES.length + Math.ceil(VALUES.length / 3));
    });
  }
});
