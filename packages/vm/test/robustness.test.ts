import { encode, isEbpfError, OPCODE_TABLE } from '@ebpf/isa';
import { noVerifier, structural } from '@ebpf/verifier';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EbpfVmRaw, identityHelper } from '../src/index.js';
import { insOf } from './support/program.js';
import { ALL } from './support/vm.js';

const insnArb = fc
  .record({
    row: fc.constantFrom(...OPCODE_TABLE),
    dst: fc.oneof(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 15 })),
    src: fc.oneof(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 15 })),
    off: fc.oneof(fc.integer({ min: -4, max: 8 }), fc.integer({ min: -0x8000, max: 0x7fff })),
    imm: fc.oneof(
      fc.integer({ min: -4, max: 64 }),
      fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff }),
    ),
    imm64: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  })
  .map(({ row, dst, src, off, imm, imm64 }) => {
    const f: { dst: number; src: number; off: number; imm: number; imm64: bigint } = {
      dst,
      src,
      off,
      imm,
      imm64,
    };
    // Keep each form's discriminating field, so the instruction is the row drawn.
    if (row.match.src !== undefined) f.src = row.match.src;
    if (row.match.off !== undefined) f.off = row.match.off;
    if (row.match.imm !== undefined) f.imm = row.match.imm;
    return insOf(row, f);
  });

const programArb = fc.array(insnArb, { minLength: 1, maxLength: 24 }).map((insns) => encode(insns));
const bytesArb = fc
  .uint8Array({ minLength: 0, maxLength: 200 })
  .map((b) => b.subarray(0, b.length - (b.length % 8)));
const memArb = fc.uint8Array({ minLength: 0, maxLength: 64 });

function runGuarded(bytes: Uint8Array, mem: Uint8Array, verified: boolean): 'ok' | 'error' {
  try {
    const vm = new EbpfVmRaw(undefined, {
      ...ALL,
      verifier: verified ? structural : noVerifier,
      budget: 2000,
    });
    for (let id = 0; id < 8; id++) vm.registerHelper(id, identityHelper);
    vm.setProgram(bytes);
    const r = vm.run({ mem }, { args: [undefined, mem.length] });
    expect(typeof r.r0).toBe('bigint');
    expect(r.insnCount).toBeLessThanOrEqual(2000);
    return 'ok';
  } catch (e) {
    if (!isEbpfError(e)) throw e;
    return 'error';
  }
}

describe('no input makes the VM throw anything but an EbpfError, and a budget bounds every run', () => {
  it('random programs built from the ISA table, no verifier', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(programArb, memArb, (bytes, mem) => {
        seen.add(runGuarded(bytes, mem, false));
      }),
      { numRuns: 1500 },
    );
    expect(seen).toEqual(new Set(['ok', 'error']));
  });
  it('random programs built from the ISA table, structural verifier', () => {
    fc.assert(
      fc.property(programArb, memArb, (bytes, mem) => {
        runGuarded(bytes, mem, true);
      }),
      { numRuns: 500 },
    );
  });
  it('random bytes, no verifier', () => {
    fc.assert(
      fc.property(bytesArb, memArb, (bytes, mem) => {
        runGuarded(bytes, mem, false);
      }),
      { numRuns: 1000 },
    );
  });
});
