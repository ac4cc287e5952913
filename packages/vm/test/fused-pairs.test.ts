/**
 * The interpreter's speed-ups must not change what a program does: fused instruction pairs give
 * the same registers, memory, instruction count, budget stop and fault (code and instruction
 * index) as the two instructions run apart, and the region caches of loads and stores follow
 * the region table when host code changes it mid-run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Insn, rowByName } from '@ebpf/isa';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AddressSpace,
  INPUT_ADDRESS,
  MBUFF_ADDRESS,
  REGION_INPUT,
  REGION_MBUFF,
} from '../src/address-space.js';
import { HelperTable } from '../src/helpers.js';
import {
  FUSED_BASE,
  FUSED_PAIRS,
  fusedOpcodeOf,
  INTERP_OPCODES,
  SpecialOp,
} from '../src/interp-opcodes.js';
import { interpret } from '../src/interpreter.js';
import { predecode } from '../src/predecode.js';
import { VM_ACCESS_VIOLATION, VM_BUDGET_EXHAUSTED, VmError } from '../src/vm-errors.js';
import { exit, ins, lddw, program } from './support/program.js';

const INPUT_LENGTH = 64;
const MBUFF_LENGTH = 32;

/** What one run gave: r0, the instruction count and the input bytes, or the fault. */
type Outcome =
  | { r0: bigint; insnCount: number; input: number[] }
  | { code: number; pc: number | undefined };

/** Runs `bytes` on a fresh address space whose input holds `input`, fused or not. */
function runOnce(bytes: Uint8Array, input: Uint8Array, fuse: boolean, budget = 10_000): Outcome {
  const space = new AddressSpace();
  space.layoutRun(INPUT_LENGTH, MBUFF_LENGTH);
  space.regionBytes(REGION_INPUT).set(input);
  const helpers = new HelperTable(space);
  try {
    const { r0, insnCount } = interpret(predecode(bytes, { fuse }), space, helpers, {
      args: [INPUT_ADDRESS, BigInt(INPUT_LENGTH)],
      budget,
    });
    return { r0, insnCount, input: [...space.regionBytes(REGION_INPUT)] };
  } catch (e) {
    if (!(e instanceof VmError)) throw e;
    return { code: e.code, pc: e.pc };
  }
}

const u64 = fc.oneof(
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  fc.constantFrom(0n, 1n, 8n, 0xffff_ffffn, 0x1_0000_0000n, (1n << 64n) - 1n, 1n << 63n),
);
const imm32 = fc.oneof(
  fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff }),
  fc.constantFrom(0, 1, 8, 31, 32, 61, 63, -1),
);

/** Random operands for one instruction of form `name` (loads mostly through r1, the input). */
function operands(name: string): fc.Arbitrary<Insn> {
  const row = rowByName(name);
  const src =
    row.kind === 'load'
      ? fc.oneof(fc.constant(1), fc.integer({ min: 0, max: 10 }))
      : fc.integer({ min: 0, max: 10 });
  const off =
    row.kind === 'load'
      ? fc.integer({ min: -16, max: INPUT_LENGTH + 8 })
      : row.kind === 'jcond'
        ? fc.constant(1)
        : fc.constant(0);
  return fc
    .record({ dst: fc.integer({ min: 0, max: 9 }), src, off, imm: imm32 })
    .map((f) => ins(name, f));
}

describe('fused instruction pairs', () => {
  it('each pair has its case in the switch, after every other opcode', () => {
    const source = readFileSync(join(import.meta.dirname, '../src/interpreter.ts'), 'utf8');
    const fusedCases = [
      ...source.matchAll(/^\s*case (\d+): \{\n\s*\/\/ (\w+) then (\w+) \(fused\)$/gm),
    ];
    expect(fusedCases.map((m) => [Number(m[1]), m[2], m[3]])).toEqual(
      FUSED_PAIRS.map(([a, b], i) => [FUSED_BASE + i, a, b]),
    );
    expect(FUSED_BASE).toBeGreaterThan(Math.max(...Object.values(SpecialOp)));
  });
  FUSED_PAIRS.forEach(([first, second], i) => {
    it(`${first} then ${second} runs as the two instructions do`, () => {
      fc.assert(
        fc.property(
          fc.array(u64, { minLength: 8, maxLength: 8 }),
          operands(first),
          operands(second),
          fc.uint8Array({ minLength: INPUT_LENGTH, maxLength: INPUT_LENGTH }),
          (values, a, b, input) => {
            // r2-r9 get random values (r1 keeps the input's address), then the pair, then a
            // marker the pair's jump may skip, then every register folded into r0.
            const setup = values.map((v, k) => lddw(k + 2, v));
            const fold = [2, 3, 4, 5, 6, 7, 8, 9, 1].map((r) =>
              ins('xor64_reg', { dst: 0, src: r }),
            );
            const bytes = program(
              ...setup,
              a,
              b,
              ins('mov64_imm', { dst: 0, imm: 0x5a }),
              ...fold,
              exit(),
            );
            const at = setup.length * 2;
            expect(predecode(bytes)[at * 8]).toBe(FUSED_BASE + i);
            expect(predecode(bytes, { fuse: false })[at * 8]).not.toBe(FUSED_BASE + i);
            expect(runOnce(bytes, input, true)).toEqual(runOnce(bytes, input, false));
            // Budgets that run out before the pair, between its halves and after it.
            for (const stop of [setup.length, setup.length + 1, setup.length + 2]) {
              expect(runOnce(bytes, input, true, stop)).toEqual(runOnce(bytes, input, false, stop));
            }
          },
        ),
        { numRuns: 40 },
      );
    });
  });

  it('a budget that runs out between the halves stops at the second one', () => {
    const bytes = program(
      ins('mov64_reg', { dst: 3, src: 1 }),
      ins('add64_imm', { dst: 3, imm: 8 }),
      exit(),
    );
    const input = new Uint8Array(INPUT_LENGTH);
    expect(runOnce(bytes, input, true, 1)).toEqual({ code: VM_BUDGET_EXHAUSTED, pc: 1 });
    expect(runOnce(bytes, input, true, 2)).toEqual({ code: VM_BUDGET_EXHAUSTED, pc: 2 });
  });

  it('a jump to the second half runs only the second half', () => {
    const bytes = program(
      ins('mov64_imm', { dst: 0, imm: 5 }),
      ins('ja', { off: 1 }),
      ins('mov64_reg', { dst: 0, src: 1 }),
      ins('add64_imm', { dst: 0, imm: 7 }),
      exit(),
    );
    const fused = fusedOpcodeOf(INTERP_OPCODES.mov64_reg, INTERP_OPCODES.add64_imm);
    expect(fused).toBeGreaterThanOrEqual(FUSED_BASE);
    expect(predecode(bytes)[2 * 8]).toBe(fused);
    expect(runOnce(bytes, new Uint8Array(INPUT_LENGTH), true)).toMatchObject({
      r0: 12n,
      insnCount: 4,
    });
  });

  it('a fault in a fused load names the load, a later fault names its own instruction', () => {
    const input = new Uint8Array(INPUT_LENGTH);
    const bad = program(
      ins('ldxdw', { dst: 0, src: 1, off: INPUT_LENGTH - 4 }),
      ins('add64_reg', { dst: 0, src: 0 }),
      exit(),
    );
    expect(runOnce(bad, input, true)).toEqual({ code: VM_ACCESS_VIOLATION, pc: 0 });
  });
});

describe('region caches of loads and stores', () => {
  /** A VM-less run with a helper (id 1) that shrinks the input to 8 bytes. */
  function runWithShrink(bytes: Uint8Array): Outcome {
    const space = new AddressSpace();
    space.layoutRun(INPUT_LENGTH, MBUFF_LENGTH);
    const helpers = new HelperTable(space);
    helpers.register(1, () => {
      space.setInputLength(8);
      return 0n;
    });
    try {
      const { r0, insnCount } = interpret(predecode(bytes), space, helpers, {
        args: [INPUT_ADDRESS, BigInt(INPUT_LENGTH)],
        budget: 100,
      });
      return { r0, insnCount, input: [] };
    } catch (e) {
      if (!(e instanceof VmError)) throw e;
      return { code: e.code, pc: e.pc };
    }
  }

  it('a load after a helper shrank the region faults', () => {
    const bytes = program(
      ins('mov64_reg', { dst: 6, src: 1 }),
      ins('ldxb', { dst: 0, src: 6, off: 20 }),
      ins('call', { imm: 1 }),
      ins('ldxb', { dst: 0, src: 6, off: 20 }),
      exit(),
    );
    expect(runWithShrink(bytes)).toEqual({ code: VM_ACCESS_VIOLATION, pc: 3 });
  });

  it('a store after a helper shrank the region faults', () => {
    const bytes = program(
      ins('mov64_reg', { dst: 6, src: 1 }),
      ins('stb', { dst: 6, off: 20, imm: 1 }),
      ins('call', { imm: 1 }),
      ins('stb', { dst: 6, off: 20, imm: 1 }),
      exit(),
    );
    expect(runWithShrink(bytes)).toEqual({ code: VM_ACCESS_VIOLATION, pc: 3 });
  });

  it('an offset that carries into the next region reaches that region, not the cached one', () => {
    const space = new AddressSpace();
    space.layoutRun(INPUT_LENGTH, MBUFF_LENGTH);
    space.regionBytes(REGION_MBUFF)[8] = 0x77;
    space.regionBytes(REGION_INPUT)[0] = 0x11;
    const helpers = new HelperTable(space);
    const bytes = program(
      ins('ldxb', { dst: 0, src: 1, off: 0 }),
      lddw(3, INPUT_ADDRESS + 0xffff_fff8n),
      ins('ldxb', { dst: 4, src: 3, off: 16 }),
      ins('add64_reg', { dst: 0, src: 4 }),
      ins('stb', { dst: 1, off: 1, imm: 2 }),
      ins('stb', { dst: 3, off: 17, imm: 0x33 }),
      exit(),
    );
    const run = () =>
      interpret(predecode(bytes), space, helpers, { args: [INPUT_ADDRESS], budget: 100 });
    expect(run().r0).toBe(0x88n);
    expect(space.regionBytes(REGION_MBUFF)[9]).toBe(0x33);
    // Below the start of a region: the offset borrows from the region number and faults.
    const below = program(
      ins('ldxb', { dst: 0, src: 1, off: 0 }),
      lddw(3, MBUFF_ADDRESS + 4n),
      ins('ldxb', { dst: 0, src: 3, off: -8 }),
      exit(),
    );
    expect(() =>
      interpret(predecode(below), space, helpers, { args: [INPUT_ADDRESS], budget: 100 }),
    ).toThrow(expect.objectContaining({ code: VM_ACCESS_VIOLATION, pc: 3 }));
  });
});
