import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkReservedFields,
  DecodeError,
  decode,
  decodeAt,
  encode,
  type Insn,
  ISA_FIELD_RANGE,
  ISA_LDDW_SECOND_SLOT,
  ISA_LDDW_TRUNCATED,
  ISA_PROGRAM_LENGTH,
  ISA_RESERVED_FIELD,
  ISA_UNKNOWN_OPCODE,
  ISA_UNKNOWN_VARIANT,
  isEbpfError,
  OPCODE_TABLE,
  type OpcodeRow,
  ROWS_BY_OPCODE,
  rowByName,
} from '../src/index.js';

const reg = fc.integer({ min: 0, max: 10 });
const off16 = fc.integer({ min: -0x8000, max: 0x7fff });
const imm32 = fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff });

/** Random valid fields for one form: operands random, discriminator as the form says, rest zero. */
function insnFor(row: OpcodeRow): fc.Arbitrary<Insn> {
  return fc.record({ dst: reg, src: reg, off: off16, imm: imm32, hi: imm32 }).map((f) => {
    const pick = (field: 'dst' | 'src' | 'off' | 'imm') =>
      row.match[field] ?? (row.uses.includes(field) ? f[field] : 0);
    const insn: Insn = {
      opcode: row.opcode,
      dst: pick('dst'),
      src: pick('src'),
      off: pick('off'),
      imm: pick('imm'),
    };
    if (row.slots === 2) {
      return { ...insn, imm64: (BigInt(f.hi >>> 0) << 32n) | BigInt(insn.imm >>> 0) };
    }
    return insn;
  });
}

const EXIT: Insn = { opcode: 0x95, dst: 0, src: 0, off: 0, imm: 0 };

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('encode and decode', () => {
  it('round-trip every form of the table with random field values', () => {
    for (const row of OPCODE_TABLE) {
      fc.assert(
        fc.property(insnFor(row), (insn) => {
          const bytes = encode([insn, EXIT]);
          const [back] = decode(bytes, { strict: true });
          expect(back.row).toBe(row);
          expect({ dst: back.dst, src: back.src, off: back.off, imm: back.imm }).toEqual({
            dst: insn.dst,
            src: insn.src,
            off: insn.off,
            imm: insn.imm,
          });
          expect(back.imm64).toBe(insn.imm64);
          expect(encode(decode(bytes))).toEqual(bytes);
        }),
        { numRuns: 40 },
      );
    }
  });

  it('decodes every one of the 256 opcode bytes to its form or to a typed unknown-opcode error', () => {
    for (let opcode = 0; opcode < 256; opcode++) {
      const rows = ROWS_BY_OPCODE[opcode];
      if (rows.length === 0) {
        const bytes = encode([{ opcode, dst: 0, src: 0, off: 0, imm: 0 }, EXIT]);
        const e = thrown(() => decode(bytes));
        expect(isEbpfError(e, ISA_UNKNOWN_OPCODE)).toBe(true);
        expect((e as DecodeError).pc).toBe(0);
        continue;
      }
      for (const row of rows) {
        const insn: Insn = {
          opcode,
          dst: row.match.dst ?? 0,
          src: row.match.src ?? 0,
          off: row.match.off ?? 0,
          imm: row.match.imm ?? 0,
          ...(row.slots === 2 ? { imm64: 0n } : {}),
        };
        expect(decode(encode([insn, EXIT]))[0].row).toBe(row);
      }
    }
  });

  it('gives lddw its full 64-bit value from both slots', () => {
    const bytes = encode([
      { opcode: 0x18, dst: 0, src: 0, off: 0, imm: 0, imm64: 0x1122334455667788n },
      EXIT,
    ]);
    // The layout the conformance file lddw.data gives in its -- raw section.
    const view = new DataView(bytes.buffer);
    expect(view.getBigUint64(0, true)).toBe(0x5566778800000018n);
    expect(view.getBigUint64(8, true)).toBe(0x1122334400000000n);
    const [lddw, exit] = decode(bytes);
    expect(lddw.imm64).toBe(0x1122334455667788n);
    expect(lddw.imm).toBe(0x55667788);
    expect(exit.pc).toBe(2);
  });

  it('accepts negative imm64 values and stores their two’s complement', () => {
    const bytes = encode([{ opcode: 0x18, dst: 1, src: 0, off: 0, imm: 0, imm64: -1n }]);
    expect(decode(bytes)[0].imm64).toBe(0xffff_ffff_ffff_ffffn);
  });
});

describe('decode errors', () => {
  it('rejects a length that is not a multiple of 8', () => {
    const e = thrown(() => decode(new Uint8Array(12)));
    expect(isEbpfError(e, ISA_PROGRAM_LENGTH)).toBe(true);
    expect((e as DecodeError<typeof ISA_PROGRAM_LENGTH>).context.byteLength).toBe(12);
  });

  it('rejects an lddw cut off after its first slot, naming its index', () => {
    const bytes = encode([EXIT, { opcode: 0x18, dst: 0, src: 0, off: 0, imm: 0, imm64: 1n }]).slice(
      0,
      16,
    );
    const e = thrown(() => decode(bytes)) as DecodeError;
    expect(e.code).toBe(ISA_LDDW_TRUNCATED);
    expect(e.pc).toBe(1);
    expect(e.message).toMatch(/^insn 1: lddw needs two/);
  });

  it('rejects an lddw whose second slot holds anything but the upper immediate', () => {
    const bytes = encode([{ opcode: 0x18, dst: 0, src: 0, off: 0, imm: 0, imm64: 1n }, EXIT]);
    bytes[9] = 0x01; // dst of the second slot
    const e = thrown(() => decode(bytes)) as DecodeError;
    expect(e.code).toBe(ISA_LDDW_SECOND_SLOT);
    expect(e.pc).toBe(1);
  });

  it('names the discriminating field of an unknown variant', () => {
    const cases: [Insn, string, number][] = [
      [{ opcode: 0x3f, dst: 0, src: 1, off: 2, imm: 0 }, 'off', 2], // div64 with offset 2
      [{ opcode: 0xd4, dst: 0, src: 0, off: 0, imm: 8 }, 'imm', 8], // le8
      [{ opcode: 0xdb, dst: 1, src: 2, off: 0, imm: 0x02 }, 'imm', 2], // atomic op 2
      [{ opcode: 0x85, dst: 0, src: 3, off: 0, imm: 0 }, 'src', 3], // call src 3
    ];
    for (const [insn, field, value] of cases) {
      const e = thrown(() => decode(encode([insn]))) as DecodeError<typeof ISA_UNKNOWN_VARIANT>;
      expect(e.code).toBe(ISA_UNKNOWN_VARIANT);
      expect(e.context.field).toBe(field);
      expect(e.context.value).toBe(value);
    }
    const lddw7 = new Uint8Array(16);
    lddw7[0] = 0x18;
    lddw7[1] = 0x70;
    expect(
      isEbpfError(
        thrown(() => decode(lddw7)),
        ISA_UNKNOWN_VARIANT,
      ),
    ).toBe(true);
  });

  it('only ever returns instructions or throws a DecodeError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, strict) => {
        try {
          const insns = decode(bytes, { strict });
          expect(insns.reduce((n, i) => n + i.row.slots, 0) * 8).toBe(bytes.length);
        } catch (e) {
          expect(e).toBeInstanceOf(DecodeError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('reserved fields', () => {
  it('are rejected by strict decoding and reported by checkReservedFields, for every form', () => {
    for (const row of OPCODE_TABLE) {
      const free = (['dst', 'src', 'off', 'imm'] as const).filter(
        (f) => !row.uses.includes(f) && row.match[f] === undefined,
      );
      for (const field of free) {
        const insn: Insn = {
          opcode: row.opcode,
          dst: row.match.dst ?? 0,
          src: row.match.src ?? 0,
          off: row.match.off ?? 0,
          imm: row.match.imm ?? 0,
          [field]: 1,
          ...(row.slots === 2 ? { imm64: 0n } : {}),
        };
        const bytes = encode([insn]);
        const lenient = decodeAt(bytes, 0);
        expect(lenient.row).toBe(row);
        expect(checkReservedFields(lenient)?.context).toMatchObject({ field, value: 1 });
        const e = thrown(() => decode(bytes, { strict: true })) as DecodeError;
        expect(e.code, `${row.name}.${field}`).toBe(ISA_RESERVED_FIELD);
      }
    }
  });
});

describe('encode errors', () => {
  it('rejects fields that do not fit, naming the field and the instruction', () => {
    const bad: [Partial<Insn>, string][] = [
      [{ dst: 16 }, 'dst'],
      [{ src: -1 }, 'src'],
      [{ off: 0x8000 }, 'off'],
      [{ imm: 2 ** 32 }, 'imm'],
      [{ imm: 1.5 }, 'imm'],
      [{ opcode: 256 }, 'opcode'],
    ];
    for (const [patch, field] of bad) {
      const e = thrown(() => encode([EXIT, { ...EXIT, ...patch }])) as DecodeError<
        typeof ISA_FIELD_RANGE
      >;
      expect(e.code).toBe(ISA_FIELD_RANGE);
      expect(e.context.field).toBe(field);
      expect(e.pc).toBe(1);
    }
  });

  it('asks lddw for its 64-bit immediate', () => {
    const lddw = rowByName('lddw');
    const e = thrown(() => encode([{ opcode: lddw.opcode, dst: 0, src: 0, off: 0, imm: 1 }]));
    expect(isEbpfError(e, ISA_FIELD_RANGE)).toBe(true);
  });

  it('accepts an unsigned 32-bit immediate as its raw bits', () => {
    const bytes = encode([{ opcode: 0xb7, dst: 0, src: 0, off: 0, imm: 0xffffff80 }]);
    expect(decode(bytes)[0].imm).toBe(-128);
  });
});
