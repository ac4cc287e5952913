import { encode, type Insn, OPCODE_TABLE, type OpcodeRow } from '@ebpf/isa';
import fc from 'fast-check';

/** Registers: mostly valid, now and then one beyond r10. */
const register = fc.oneof(
  { weight: 150, arbitrary: fc.integer({ min: 0, max: 10 }) },
  { weight: 1, arbitrary: fc.integer({ min: 11, max: 15 }) },
);
const interestingImm = fc.constantFrom(
  0,
  1,
  -1,
  2,
  7,
  8,
  31,
  32,
  63,
  64,
  0x7fff_ffff,
  -0x8000_0000,
  0xffff,
  -64,
  5,
);
const imm = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -8, max: 70 }) },
  { weight: 3, arbitrary: interestingImm },
  { weight: 1, arbitrary: fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff }) },
);
const memOffset = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -16, max: 40 }) },
  { weight: 3, arbitrary: fc.integer({ min: -520, max: 8 }) },
  { weight: 1, arbitrary: fc.integer({ min: -0x8000, max: 0x7fff }) },
);
const jumpOffset = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: -6, max: 8 }) },
  { weight: 1, arbitrary: fc.integer({ min: -40, max: 40 }) },
);

/** The operand fields of one instruction of a given form (the form's `match` fields win). */
function insnOf(
  row: OpcodeRow,
  dst: number,
  src: number,
  off: number,
  immV: number,
  imm64: bigint,
): Insn {
  const fields = { dst, src, off, imm: immV };
  for (const [k, v] of Object.entries(row.match))
    (fields as Record<string, number>)[k] = v as number;
  return { opcode: row.opcode, ...fields, ...(row.slots === 2 ? { imm64 } : {}) };
}

/** One random instruction over the whole ISA table (plus now and then an unknown opcode byte). */
export const arbitraryInsn: fc.Arbitrary<Insn> = fc
  .record({
    row: fc.integer({ min: 0, max: OPCODE_TABLE.length - 1 }),
    dst: register,
    src: register,
    memOff: memOffset,
    jumpOff: jumpOffset,
    imm,
    helper: fc.constantFrom(5, 5, 5, 7, 7, 7, 6),
    pointer: fc.constantFrom(1, 2, 3, 4, 10, 10, 1, 3),
    usePointer: fc.integer({ min: 0, max: 9 }),
    keepRow: fc.integer({ min: 0, max: 9 }),
    imm64: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    raw: fc.integer({ min: 0, max: 255 }),
    rawPick: fc.integer({ min: 0, max: 150 }),
  })
  .map((r) => {
    if (r.rawPick === 0) {
      return { opcode: r.raw, dst: r.dst, src: r.src, off: r.memOff, imm: r.imm, imm64: r.imm64 };
    }
    let row = OPCODE_TABLE[r.row];
    // Forms that always fault (unresolved lddw, call by BTF id) mostly become their plain cousins,
    // so that more programs run on past them.
    if (row.kind === 'lddw' && r.keepRow > 0) row = OPCODE_TABLE.find((x) => x.name === 'lddw')!;
    if (row.op === 'call_btf' && r.keepRow > 0) row = OPCODE_TABLE.find((x) => x.name === 'call')!;
    let off = r.memOff;
    let immV = r.imm;
    if (row.kind === 'ja' || row.kind === 'jcond') {
      off = r.jumpOff;
      if (row.kind === 'ja' && row.width === 32) immV = r.jumpOff;
    }
    if (row.op === 'call_local') immV = r.jumpOff;
    if (row.op === 'call') immV = r.helper;
    if (row.kind === 'callx') return insnOf(row, r.dst % 2 === 0 ? 6 : r.dst, r.src, 0, 0, 0n);
    // Memory accesses mostly go through registers that hold pointers (r1, r3: input; r2, r4,
    // r10: stack), with offsets around the regions' bounds.
    if (
      (row.kind === 'load' || row.kind === 'store' || row.kind === 'atomic') &&
      r.usePointer > 1
    ) {
      const base = r.pointer;
      const off2 =
        base === 10 ? -8 * ((r.imm & 63) + 1) + (r.usePointer === 9 ? r.imm & 7 : 0) : r.imm & 63;
      const fields = row.kind === 'load' ? { src: base, dst: r.dst } : { dst: base, src: r.src };
      return insnOf(row, fields.dst, fields.src, off2, immV, r.imm64);
    }
    return insnOf(row, r.dst, r.src, off, immV, r.imm64);
  });

/**
 * A random program: a prologue that points some registers into the stack and the input, a body
 * of random instructions, and an exit.
 */
export const arbitraryProgram: fc.Arbitrary<Uint8Array> = fc
  .record({
    body: fc.array(arbitraryInsn, { minLength: 1, maxLength: 28 }),
    consts: fc.array(fc.integer({ min: -4, max: 40 }), { minLength: 4, maxLength: 4 }),
  })
  .map(({ body, consts }) => {
    const row = (name: string) => OPCODE_TABLE.find((r) => r.name === name)!;
    const mov = row('mov64_reg');
    const addi = row('add64_imm');
    const movi = row('mov64_imm');
    const prologue: Insn[] = [
      { opcode: mov.opcode, dst: 2, src: 10, off: 0, imm: 0 },
      { opcode: addi.opcode, dst: 2, src: 0, off: 0, imm: -64 },
      { opcode: mov.opcode, dst: 3, src: 1, off: 0, imm: 0 },
      { opcode: movi.opcode, dst: 6, src: 0, off: 0, imm: 5 },
      { opcode: mov.opcode, dst: 4, src: 10, off: 0, imm: 0 },
      { opcode: addi.opcode, dst: 4, src: 0, off: 0, imm: -512 },
      ...consts.map((c, i) => ({ opcode: movi.opcode, dst: 6 + i, src: 0, off: 0, imm: c })),
    ];
    const exit = { opcode: row('exit').opcode, dst: 0, src: 0, off: 0, imm: 0 };
    return encode([...prologue, ...body, exit]);
  });

/** A random input buffer. */
export const arbitraryMem = fc.uint8Array({ minLength: 0, maxLength: 48 });
