/**
 * Soundness of `strict` (from @ebpf/verifier) against this interpreter: random programs that the
 * strict verifier accepts never fault at run time. Programs mix arithmetic, pointer arithmetic on
 * the input (r1, 16 bytes, r2 = 16) and the stack, loads, stores and atomics at offsets in and out
 * of bounds, and forward and backward jumps; the verifier must refuse every one that could fault.
 */
import { encode, type Insn, lookupRow, rowByName } from '@ebpf/isa';
import { noVerifier, strict } from '@ebpf/verifier';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EbpfVmFixedMbuff, EbpfVmRaw, VM_BUDGET_EXHAUSTED } from '../src/index.js';

const MEM_SIZE = 16;
const MEMORY_KINDS = new Set(['load', 'store', 'atomic']);
const rowOf = (i: Insn) => lookupRow(i.opcode, i.src, i.off, i.imm)!;
const BUDGET = 20_000;

function insn(name: string, fields: Partial<Insn> = {}): Insn {
  const row = rowByName(name);
  return { dst: 0, src: 0, off: 0, imm: 0, ...row.match, opcode: row.opcode, ...fields };
}

const reg = fc.integer({ min: 0, max: 5 });
const anyReg = fc.constantFrom(0, 1, 2, 3, 4, 5, 10);
const small = fc.integer({ min: -8, max: 24 });
const size = fc.constantFrom('b', 'h', 'w', 'dw');
const ALU = ['add', 'sub', 'mul', 'div', 'mod', 'and', 'or', 'xor', 'lsh', 'rsh', 'arsh', 'mov'];

/** One instruction (before jump offsets are fixed up); `jump` marks a relative target. */
type Step = { insn: Insn; jump?: number };

const step0: fc.Arbitrary<Step> = fc.constant({ insn: insn('mov64_imm', { dst: 3, imm: 1 }) });
const step: fc.Arbitrary<Step> = fc
  .oneof(
    fc
      .record({ d: reg, v: small })
      .map(({ d, v }) => ({ insn: insn('mov64_imm', { dst: d, imm: v }) })),
    fc
      .record({ d: reg, s: anyReg })
      .map(({ d, s }) => ({ insn: insn('mov64_reg', { dst: d, src: s }) })),
    fc
      .record({ op: fc.constantFrom(...ALU), w: fc.constantFrom(32, 64), d: reg, v: small })
      .map(({ op, w, d, v }) => ({ insn: insn(`${op}${w}_imm`, { dst: d, imm: v }) })),
    fc
      .record({ op: fc.constantFrom(...ALU), w: fc.constantFrom(32, 64), d: reg, s: anyReg })
      .map(({ op, w, d, s }) => ({ insn: insn(`${op}${w}_reg`, { dst: d, src: s }) })),
    // loads and stores through any register: r1 (input), r10 (stack), or whatever a register holds
    fc
      .record({ z: size, d: reg, s: anyReg, o: fc.integer({ min: -24, max: 24 }) })
      .map(({ z, d, s, o }) => ({ insn: insn(`ldx${z}`, { dst: d, src: s, off: o }) })),
    fc
      .record({ z: size, b: anyReg, s: anyReg, o: fc.integer({ min: -24, max: 24 }) })
      .map(({ z, b, s, o }) => ({ insn: insn(`stx${z}`, { dst: b, src: s, off: o }) })),
    fc
      .record({ z: size, b: anyReg, v: small, o: fc.integer({ min: -24, max: 24 }) })
      .map(({ z, b, v, o }) => ({ insn: insn(`st${z}`, { dst: b, off: o, imm: v }) })),
    fc
      .record({ b: anyReg, s: reg, o: fc.constantFrom(-16, -12, -8, 0, 4, 8) })
      .map(({ b, s, o }) => ({ insn: insn('atomic_fetch_add64', { dst: b, src: s, off: o }) })),
    fc
      .record({
        op: fc.constantFrom('jeq', 'jne', 'jgt', 'jge', 'jlt', 'jsgt'),
        d: reg,
        v: small,
        t: fc.integer({ min: 0, max: 4 }),
      })
      .map(({ op, d, v, t }) => ({ insn: insn(`${op}_imm`, { dst: d, imm: v }), jump: t })),
    fc
      .record({
        op: fc.constantFrom('jgt', 'jlt', 'jne'),
        d: reg,
        s: anyReg,
        t: fc.integer({ min: -4, max: 3 }),
      })
      .map(({ op, d, s, t }) => ({ insn: insn(`${op}_reg`, { dst: d, src: s }), jump: t })),
    // loads and stores biased to r1 and r10 near their bounds
    fc
      .record({ z: size, d: reg, o: fc.integer({ min: -2, max: 16 }) })
      .map(({ z, d, o }) => ({ insn: insn(`ldx${z}`, { dst: d, src: 1, off: o }) })),
    fc
      .record({ z: size, s: anyReg, o: fc.integer({ min: -24, max: 2 }) })
      .map(({ z, s, o }) => ({ insn: insn(`stx${z}`, { dst: 10, src: s, off: o }) })),
    fc
      .record({ z: size, d: reg, o: fc.integer({ min: -24, max: 2 }) })
      .map(({ z, d, o }) => ({ insn: insn(`ldx${z}`, { dst: d, src: 10, off: o }) })),
    fc.constant({ insn: insn('exit') }),
  )
  .chain((s) =>
    s.insn.opcode === rowByName('exit').opcode ? fc.oneof(fc.constant(s), step0) : fc.constant(s),
  );

/** Registers the program starts with written (r1 and r2 come from the VM). */
const PROLOGUE = [0, 3, 4, 5].map((r) => insn('mov64_imm', { dst: r, imm: r }));

/**
 * A program: a prologue that writes r0 and r3-r5, the steps, then `mov r0, 0; exit`; jump
 * targets are kept inside the program.
 */
function build(steps: readonly Step[]): Uint8Array {
  const base = PROLOGUE.length;
  const n = base + steps.length + 2;
  const insns = steps.map((s, i) => {
    const pc = base + i;
    if (s.jump === undefined) return s.insn;
    const target = Math.min(Math.max(pc + 1 + s.jump, base), n - 1);
    return { ...s.insn, off: target - pc - 1 };
  });
  return encode([...PROLOGUE, ...insns, insn('mov64_imm', { dst: 0, imm: 0 }), insn('exit')]);
}

describe('strict verifier soundness against the interpreter', () => {
  it('programs strict accepts never fault (fixed seed, 2500 programs)', () => {
    const programs = fc.sample(
      fc.tuple(
        fc.array(step, { minLength: 1, maxLength: 14 }),
        fc.uint8Array({ minLength: MEM_SIZE, maxLength: MEM_SIZE }),
      ),
      { numRuns: 2500, seed: 20261122 },
    );
    const verifier = strict({ loops: 'bounded' });
    let accepted = 0;
    let withMemory = 0;
    for (const [steps, mem] of programs) {
      const bytes = build(steps);
      const verdict = verifier.verify({
        bytes,
        host: { context: { size: MEM_SIZE, input: true } },
      });
      if (!verdict.ok) continue;
      accepted++;
      if (steps.some((s) => MEMORY_KINDS.has(rowOf(s.insn).kind))) withMemory++;
      const vm = new EbpfVmRaw(bytes, { verifier: noVerifier });
      let fault: unknown;
      try {
        vm.run({ mem: new Uint8Array(mem) }, { args: [undefined, MEM_SIZE], budget: BUDGET });
      } catch (e) {
        if ((e as { code?: number }).code !== VM_BUDGET_EXHAUSTED) fault = e;
      }
      expect(
        fault,
        `accepted program faulted:\n${Buffer.from(bytes).toString('hex')}\n${String(fault)}`,
      ).toBeUndefined();
    }
    // The property means something only if many programs get through, many touching memory.
    expect(accepted).toBeGreaterThan(200);
    expect(withMemory).toBeGreaterThan(80);
  });

  it('packet programs strict accepts never fault (fixed-mbuff layout, 1500 programs)', () => {
    const ptrReg = fc.constantFrom(2, 4, 5, 6);
    const work = fc.constantFrom(4, 5, 6, 7);
    // A bounds check and the access it guards (the check jumps over the access when it fails).
    const guarded: fc.Arbitrary<Step[]> = fc
      .record({
        z: size,
        k: fc.integer({ min: 0, max: 24 }),
        o: fc.integer({ min: -1, max: 20 }),
        variable: fc.boolean(),
        store: fc.boolean(),
      })
      .map(({ z, k, o, variable, store }) => [
        { insn: insn('mov64_reg', { dst: 6, src: 2 }) },
        ...(variable
          ? [
              { insn: insn('ldxb', { dst: 7, src: 1, off: 3 }) },
              { insn: insn('and64_imm', { dst: 7, imm: 7 }) },
              { insn: insn('add64_reg', { dst: 6, src: 7 }) },
            ]
          : []),
        { insn: insn('mov64_reg', { dst: 5, src: 6 }) },
        { insn: insn('add64_imm', { dst: 5, imm: k }) },
        { insn: insn('jgt_reg', { dst: 5, src: 3, off: 1 }) },
        {
          insn: store
            ? insn(`st${z}`, { dst: 6, off: o, imm: 1 })
            : insn(`ldx${z}`, { dst: 0, src: 6, off: o }),
        },
      ]);
    const single: fc.Arbitrary<Step> = fc.oneof(
      fc.record({ d: work }).map(({ d }) => ({ insn: insn('mov64_reg', { dst: d, src: 2 }) })),
      fc
        .record({ d: work, v: fc.integer({ min: -4, max: 40 }) })
        .map(({ d, v }) => ({ insn: insn('add64_imm', { dst: d, imm: v }) })),
      fc
        .record({ d: work, s: fc.constantFrom(0, 4, 5, 6, 7) })
        .map(({ d, s }) => ({ insn: insn('add64_reg', { dst: d, src: s }) })),
      fc
        .record({ d: work, v: fc.integer({ min: 0, max: 31 }) })
        .map(({ d, v }) => ({ insn: insn('and64_imm', { dst: d, imm: v }) })),
      fc
        .record({
          z: size,
          d: fc.constantFrom(0, 7),
          b: ptrReg,
          o: fc.integer({ min: -2, max: 20 }),
        })
        .map(({ z, d, b, o }) => ({ insn: insn(`ldx${z}`, { dst: d, src: b, off: o }) })),
      fc
        .record({ z: size, b: ptrReg, o: fc.integer({ min: -2, max: 20 }) })
        .map(({ z, b, o }) => ({ insn: insn(`st${z}`, { dst: b, off: o, imm: 1 }) })),
      fc
        .record({
          op: fc.constantFrom('jgt', 'jge', 'jlt', 'jle'),
          p: ptrReg,
          swap: fc.boolean(),
          t: fc.integer({ min: 0, max: 4 }),
        })
        .map(({ op, p, swap, t }) => ({
          insn: insn(`${op}_reg`, swap ? { dst: 3, src: p } : { dst: p, src: 3 }),
          jump: t,
        })),
      fc
        .record({
          d: fc.constantFrom(0, 7),
          v: fc.integer({ min: 0, max: 20 }),
          t: fc.integer({ min: 0, max: 3 }),
        })
        .map(({ d, v, t }) => ({ insn: insn('jgt_imm', { dst: d, imm: v }), jump: t })),
    );
    // A counted loop over the packet, each access behind its own bounds check.
    const loop: fc.Arbitrary<Step[]> = fc
      .record({
        z: size,
        k: fc.integer({ min: 0, max: 12 }),
        o: fc.integer({ min: -1, max: 8 }),
        count: fc.integer({ min: 1, max: 24 }),
        store: fc.boolean(),
      })
      .map(({ z, k, o, count, store }) => [
        { insn: insn('mov64_imm', { dst: 7, imm: 0 }) },
        { insn: insn('mov64_reg', { dst: 6, src: 2 }) },
        { insn: insn('add64_reg', { dst: 6, src: 7 }) },
        { insn: insn('mov64_reg', { dst: 5, src: 6 }) },
        { insn: insn('add64_imm', { dst: 5, imm: k }) },
        { insn: insn('jgt_reg', { dst: 5, src: 3, off: 3 }) },
        {
          insn: store
            ? insn(`st${z}`, { dst: 6, off: o, imm: 1 })
            : insn(`ldx${z}`, { dst: 0, src: 6, off: o }),
        },
        { insn: insn('add64_imm', { dst: 7, imm: 1 }) },
        { insn: insn('jlt_imm', { dst: 7, imm: count, off: -8 }) },
      ]);
    const packetStep: fc.Arbitrary<Step[]> = fc.oneof(
      guarded,
      loop,
      single.map((x) => [x]),
    );
    const prologue = [
      insn('ldxdw', { dst: 2, src: 1, off: 0 }),
      insn('ldxdw', { dst: 3, src: 1, off: 8 }),
      ...[0, 4, 5, 6, 7].map((r) => insn('mov64_imm', { dst: r, imm: 0 })),
    ];
    const programs = fc.sample(
      fc.tuple(
        fc.array(packetStep, { minLength: 1, maxLength: 6 }).map((xs) => xs.flat()),
        fc.uint8Array({ minLength: 0, maxLength: 40 }),
      ),
      { numRuns: 1500, seed: 9669 },
    );
    const verifier = strict();
    let accepted = 0;
    let withAccess = 0;
    for (const [steps, packet] of programs) {
      const base = prologue.length;
      const n = base + steps.length + 2;
      const body = steps.map((s, i) => {
        if (s.jump === undefined) return s.insn;
        const target = Math.min(base + i + 1 + s.jump, n - 1);
        return { ...s.insn, off: target - (base + i) - 1 };
      });
      const bytes = encode([
        ...prologue,
        ...body,
        insn('mov64_imm', { dst: 0, imm: 0 }),
        insn('exit'),
      ]);
      const vm = new EbpfVmFixedMbuff(undefined, 0, 8, { verifier: noVerifier });
      vm.setProgram(bytes);
      if (!verifier.verify({ bytes, host: vm.hostDeclaration() }).ok) continue;
      accepted++;
      if (steps.some((s) => MEMORY_KINDS.has(rowOf(s.insn).kind))) withAccess++;
      let fault: unknown;
      try {
        vm.run({ mem: new Uint8Array(packet) }, { budget: BUDGET });
      } catch (e) {
        if ((e as { code?: number }).code !== VM_BUDGET_EXHAUSTED) fault = e;
      }
      expect(
        fault,
        `accepted program faulted on a ${packet.length}-byte packet:\n${Buffer.from(bytes).toString('hex')}\n${String(fault)}`,
      ).toBeUndefined();
    }
    expect(accepted).toBeGreaterThan(150);
    expect(withAccess).toBeGreaterThan(60);
  });
});
