/**
 * Times the verifiers on generated programs (a benchmark, not a test):
 *
 * - `straight-line`: 100,000 instructions of ALU work, stack spills and fills and context reads,
 *   no branches;
 * - `loop-heavy`: 5,000 bounded loops one after another (about 45,000 instructions), each
 *   indexing a stack buffer with its counter, plus a nested pair;
 * - `branchy`: 100,000 instructions in 10,000 diamonds (compare, two arms, join).
 *
 * Build with `tsc -b tools/bench`, then run `node tools/bench/dist/verify-bench.js [--runs N]`.
 * Prints one line per program and verifier: instructions, the first run and the median.
 */
import { encode, type Insn, rowByName } from '@ebpf/isa';
import { type HostDeclaration, strict, structural, type Verifier } from '@ebpf/verifier';

function insn(name: string, fields: Partial<Insn> = {}): Insn {
  const row = rowByName(name);
  return { dst: 0, src: 0, off: 0, imm: 0, ...row.match, opcode: row.opcode, ...fields };
}

/** 100,000 instructions without a branch. */
function straightLine(count: number): Uint8Array {
  const out: Insn[] = [
    insn('mov64_imm', { dst: 0, imm: 0 }),
    insn('stdw', { dst: 10, off: -8, imm: 0 }),
  ];
  const body: Insn[] = [
    insn('ldxw', { dst: 2, src: 1, off: 4 }),
    insn('add64_reg', { dst: 0, src: 2 }),
    insn('mul64_imm', { dst: 2, imm: 3 }),
    insn('stxdw', { dst: 10, src: 2, off: -16 }),
    insn('ldxdw', { dst: 3, src: 10, off: -16 }),
    insn('xor64_reg', { dst: 0, src: 3 }),
    insn('and64_imm', { dst: 0, imm: 0xffff }),
    insn('lsh64_imm', { dst: 3, imm: 2 }),
    insn('mov64_reg', { dst: 4, src: 10 }),
    insn('add64_imm', { dst: 4, imm: -32 }),
  ];
  for (let i = 0; out.length < count - 1; i++) out.push(body[i % body.length]);
  out.push(insn('exit'));
  return encode(out);
}

/** `loops` counted loops in a row, each writing a 16-byte stack buffer through its counter. */
function loopHeavy(loops: number): Uint8Array {
  const out: Insn[] = [insn('mov64_imm', { dst: 0, imm: 0 })];
  for (let i = 0; i < loops; i++) {
    out.push(
      insn('mov64_imm', { dst: 2, imm: 0 }),
      // loop head
      insn('mov64_reg', { dst: 3, src: 10 }),
      insn('add64_imm', { dst: 3, imm: -16 }),
      insn('add64_reg', { dst: 3, src: 2 }),
      insn('stb', { dst: 3, off: 0, imm: 1 }),
      insn('ldxb', { dst: 4, src: 1, off: 0 }),
      insn('add64_reg', { dst: 0, src: 4 }),
      insn('add64_imm', { dst: 2, imm: 1 }),
      insn('jlt_imm', { dst: 2, imm: 16, off: -8 }),
    );
    // an inner/outer pair every 100 loops
    if (i % 100 === 0) {
      out.push(
        insn('mov64_imm', { dst: 5, imm: 0 }),
        insn('mov64_imm', { dst: 6, imm: 0 }),
        insn('add64_imm', { dst: 6, imm: 1 }),
        insn('jlt_imm', { dst: 6, imm: 8, off: -2 }),
        insn('add64_imm', { dst: 5, imm: 1 }),
        insn('jlt_imm', { dst: 5, imm: 8, off: -5 }),
      );
    }
  }
  out.push(insn('exit'));
  return encode(out);
}

/** Diamonds: compare, two arms that set r3 differently, join and use r3 as a stack offset. */
function branchy(count: number): Uint8Array {
  const out: Insn[] = [
    insn('mov64_imm', { dst: 0, imm: 0 }),
    insn('stdw', { dst: 10, off: -8, imm: 0 }),
  ];
  while (out.length < count - 12) {
    out.push(
      insn('ldxb', { dst: 2, src: 1, off: 1 }),
      insn('jgt_imm', { dst: 2, imm: 100, off: 2 }),
      insn('mov64_imm', { dst: 3, imm: -8 }),
      insn('ja', { off: 1 }),
      insn('mov64_imm', { dst: 3, imm: -4 }),
      insn('mov64_reg', { dst: 4, src: 10 }),
      insn('add64_reg', { dst: 4, src: 3 }),
      insn('ldxw', { dst: 5, src: 4, off: 0 }),
      insn('add64_reg', { dst: 0, src: 5 }),
      insn('and64_imm', { dst: 0, imm: 0xfff }),
    );
  }
  out.push(insn('exit'));
  return encode(out);
}

function time(
  verifier: Verifier,
  bytes: Uint8Array,
  host: HostDeclaration,
): { ms: number; ok: boolean } {
  const t0 = performance.now();
  const r = verifier.verify({ bytes, host });
  const ms = performance.now() - t0;
  if (!r.ok) {
    const p = r.problems[0];
    process.stderr.write(`  refused: ${p.codeName} at ${p.pc}: ${p.message}\n`);
  }
  return { ms, ok: r.ok };
}

function main(): void {
  const runsArg = process.argv.indexOf('--runs');
  const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;
  const host: HostDeclaration = { context: { size: 64 } };
  const programs: Array<[string, Uint8Array]> = [
    ['straight-line', straightLine(100_000)],
    ['loop-heavy', loopHeavy(5_000)],
    ['branchy', branchy(100_000)],
  ];
  const verifiers: Verifier[] = [
    structural,
    strict(),
    strict({ loops: 'bounded', boundedBy: 'budget' }),
  ];
  console.log('| program | slots | verifier | accepted | first run (ms) | median (ms) |');
  console.log('|---|---:|---|---|---:|---:|');
  for (const [name, bytes] of programs) {
    for (const v of verifiers) {
      const label = v === verifiers[2] ? 'strict (budget)' : v.name;
      const h = v === verifiers[2] ? { ...host, budget: 1_000_000 } : host;
      const first = time(v, bytes, h);
      const rest: number[] = [];
      for (let i = 0; i < runs; i++) rest.push(time(v, bytes, h).ms);
      rest.sort((a, b) => a - b);
      const median = rest.length > 0 ? rest[Math.floor(rest.length / 2)] : first.ms;
      console.log(
        `| ${name} | ${bytes.length / 8} | ${label} | ${first.ok ? 'yes' : 'NO'} | ${first.ms.toFixed(1)} | ${median.toFixed(1)} |`,
      );
    }
  }
}

main();
