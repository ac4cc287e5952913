/**
 * Property: a random chain of builder calls (typed methods and `emit`, over every row of the
 * table, with random operands and labels) gives bytes that decode back to the same forms and
 * fields.
 */
import { labelField, methodNameOf, methodParameters, ProgramBuilder } from '@ebpf/builder';
import { decode, OPCODE_TABLE, type OpcodeRow, writtenOperand } from '@ebpf/isa';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

interface Step {
  readonly row: OpcodeRow;
  readonly dst: number;
  readonly src: number;
  readonly off: number;
  readonly imm: number;
  readonly imm64: bigint;
  readonly typed: boolean;
}

const register = (row: OpcodeRow, field: 'dst' | 'src') =>
  fc.integer({ min: 0, max: writtenOperand(row) === field ? 9 : 10 });

const stepArb: fc.Arbitrary<Step> = fc.constantFrom(...OPCODE_TABLE).chain((row) =>
  fc.record({
    row: fc.constant(row),
    dst: register(row, 'dst'),
    src: register(row, 'src'),
    off: fc.integer({ min: -0x8000, max: 0x7fff }),
    // A distance in the immediate is signed; other immediates may also be given as raw bits.
    imm:
      labelField(row) === 'imm'
        ? fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff })
        : fc.integer({ min: -0x8000_0000, max: 0xffff_ffff }),
    imm64: fc.bigInt({ min: -(1n << 63n), max: (1n << 64n) - 1n }),
    typed: fc.boolean(),
  }),
);

function apply(b: ProgramBuilder, s: Step): void {
  const reg = (n: number) => `r${n}`;
  const lddwValue = s.row.slots === 2 && labelField(s.row) === undefined;
  if (!s.typed) {
    const operands: Record<string, unknown> = {};
    for (const f of s.row.uses) {
      if (f === 'dst' || f === 'src') operands[f] = reg(s[f]);
      else if (f === 'imm' && lddwValue) operands.imm = s.imm64;
      else operands[f] = s[f];
    }
    b.emit(s.row.name, operands);
    return;
  }
  const unsigned = BigInt.asUintN(64, s.imm64);
  const params = methodParameters(s.row);
  const args = params.map((p) => {
    switch (p) {
      case 'dst':
      case 'src':
        return reg(s[p]);
      case 'source':
        return s.row.source === 'reg' ? reg(s.src) : s.imm;
      case 'off':
        return s.off;
      case 'nextImm':
        return Number(unsigned >> 32n);
      default:
        if (!lddwValue) return s.imm;
        return params.includes('nextImm') ? Number(unsigned & 0xffff_ffffn) : s.imm64;
    }
  });
  const method = (b as unknown as Record<string, (...a: unknown[]) => unknown>)[
    methodNameOf(s.row)
  ];
  method.apply(b, args);
}

describe('round trip', () => {
  it('random chains decode back to the same forms and fields', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 24 }), (steps) => {
        const b = new ProgramBuilder();
        for (const s of steps) apply(b, s);
        const insns = decode(b.toBytes(), { strict: true });
        expect(insns).toHaveLength(steps.length);
        steps.forEach((s, i) => {
          const { row } = s;
          const got = insns[i];
          expect(got.row.name).toBe(row.name);
          expect(got.dst).toBe(row.uses.includes('dst') ? s.dst : 0);
          expect(got.src).toBe(row.uses.includes('src') ? s.src : (row.match.src ?? 0));
          expect(got.off).toBe(row.uses.includes('off') ? s.off : (row.match.off ?? 0));
          if (row.slots === 2 && labelField(row) === undefined) {
            expect(got.imm64).toBe(BigInt.asUintN(64, s.imm64));
          } else {
            expect(got.imm).toBe(row.uses.includes('imm') ? s.imm | 0 : (row.match.imm ?? 0));
          }
        });
      }),
    );
  });

  it('labels resolve to the distance between the slots they name', () => {
    // Each item is a filler of one or two slots, or a jump/call to one of the positions.
    const item = fc.oneof(
      fc.constant({ kind: 'mov' as const, to: 0 }),
      fc.constant({ kind: 'lddw' as const, to: 0 }),
      fc.record({
        kind: fc.constantFrom(
          'ja' as const,
          'jeq' as const,
          'ja32' as const,
          'call' as const,
          'code' as const,
        ),
        to: fc.nat(),
      }),
    );
    fc.assert(
      fc.property(fc.array(item, { minLength: 1, maxLength: 40 }), (items) => {
        const b = new ProgramBuilder();
        const targets: number[] = [];
        items.forEach((it, i) => {
          b.label(`L${i}`);
          const to = `L${it.to % items.length}`;
          targets.push(it.to % items.length);
          if (it.kind === 'mov') b.mov64('r0', i);
          else if (it.kind === 'lddw') b.lddw('r1', BigInt(i));
          else if (it.kind === 'ja') b.ja(to);
          else if (it.kind === 'jeq') b.jeq('r1', 'r2', to);
          else if (it.kind === 'ja32') b.ja32(to);
          else if (it.kind === 'call') b.callLocal(to);
          else b.lddwCodeAddr('r3', to);
        });
        const insns = decode(b.toBytes());
        expect(insns).toHaveLength(items.length);
        insns.forEach((insn, i) => {
          const kind = items[i].kind;
          if (kind === 'mov' || kind === 'lddw') return;
          const distance = insns[targets[i]].pc - (insn.pc + 1);
          expect(kind === 'ja' || kind === 'jeq' ? insn.off : insn.imm).toBe(distance);
        });
      }),
    );
  });
});
