import { assemble } from '@ebpf/assembler';
import { CONFORMANCE_GROUPS, encode, type Insn, OPCODE_TABLE } from '@ebpf/isa';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type HostDeclaration, strict, structural } from '../src/index.js';
import { HELPERS, MAPS } from './corpus/hosts.js';

const HOSTS: HostDeclaration[] = [
  {},
  { context: { size: 16 }, maps: MAPS, helpers: HELPERS, groups: CONFORMANCE_GROUPS },
  { context: { size: 16, input: true }, groups: CONFORMANCE_GROUPS, budget: 100 },
  {
    context: { size: 16, packetData: 0, packetEnd: 8, writable: true },
    maps: MAPS,
    helpers: HELPERS,
  },
];

/** Any form of the table with small, mostly valid operands. */
const anyInsn: fc.Arbitrary<Insn> = fc
  .record({
    row: fc.constantFrom(...OPCODE_TABLE),
    dst: fc.integer({ min: 0, max: 10 }),
    src: fc.integer({ min: 0, max: 10 }),
    off: fc.integer({ min: -12, max: 12 }),
    imm: fc.oneof(fc.integer({ min: -12, max: 40 }), fc.integer()),
    imm64: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  })
  .map(({ row, dst, src, off, imm, imm64 }) => {
    const f: Insn = {
      opcode: row.opcode,
      dst: row.uses.includes('dst') ? dst : 0,
      src: row.uses.includes('src') ? src : 0,
      off: row.uses.includes('off') ? off : 0,
      imm: row.uses.includes('imm') ? imm : 0,
      ...row.match,
      ...(row.kind === 'lddw' ? { imm64 } : {}),
    };
    return f;
  });

describe('robustness: verifiers never throw', () => {
  it('on random programs of table forms, for several hosts and loop policies', () => {
    const verifiers = [
      structural,
      strict(),
      strict({ loops: 'reject' }),
      strict({ boundedBy: 'budget' }),
    ];
    fc.assert(
      fc.property(
        fc.array(anyInsn, { minLength: 1, maxLength: 24 }),
        fc.nat(HOSTS.length - 1),
        (insns, h) => {
          const bytes = encode([...insns, { opcode: 0x95, dst: 0, src: 0, off: 0, imm: 0 }]);
          for (const v of verifiers) {
            const r = v.verify({ bytes, host: HOSTS[h] });
            expect(r.ok).toBe(r.problems.length === 0);
            for (const p of r.problems) expect(p.codeName).toMatch(/^VERIFY_[A-Z_]+$/);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
        for (const v of [structural, strict()]) {
          const r = v.verify({ bytes, host: HOSTS[1] });
          expect(r.ok).toBe(r.problems.length === 0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('stops with VERIFY_TOO_COMPLEX when call chains multiply (bounded memory)', () => {
    // 6 levels, each function calling the next 12 times: 12^5 call chains.
    let src = 'mov r1, 0\ncall local f1\nexit\n';
    for (let l = 1; l <= 6; l++) {
      src += `f${l}:\n`;
      if (l < 6) for (let i = 0; i < 12; i++) src += `call local f${l + 1}\n`;
      src += 'mov r0, 0\nexit\n';
    }
    const r = strict({ maxStoredFrames: 2_000 }).verify({ bytes: assemble(src), host: {} });
    expect(r.problems.map((p) => p.codeName)).toEqual(['VERIFY_TOO_COMPLEX']);
  });
});
