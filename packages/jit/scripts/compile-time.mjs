// Measures compile time on generated programs of 100 to 100,000 instructions.
// Build first: `pnpm -s typecheck` (tsc -b writes every package's dist), then
//   node packages/jit/scripts/compile-time.mjs
// Target: at most 1 us per instruction plus 2 ms per program. Prints, per size, the best of
// several runs of `compile` (eBPF to WebAssembly bytes) and of `new WebAssembly.Module`.
import { encode, OPCODE_TABLE } from '@ebpf/isa';
import { compile } from '@ebpf/jit';

const rows = Object.fromEntries(OPCODE_TABLE.map((r) => [r.name, r]));
let seed = 12345;
const rand = (n) => {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return (seed >>> 8) % n;
};
const alu = OPCODE_TABLE.filter(
  (r) => (r.kind === 'alu' || r.kind === 'endian' || r.kind === 'movsx') && r.op !== 'mov',
);
const conds = OPCODE_TABLE.filter((r) => r.kind === 'jcond');
const insn = (row, f = {}) => ({
  opcode: row.opcode,
  dst: 0,
  src: 0,
  off: 0,
  imm: 0,
  ...f,
  ...row.match,
});

/** A program of `n` instructions: arithmetic, loads and stores, forward branches and loops. */
function generate(n) {
  const out = [];
  while (out.length < n - 1) {
    const k = rand(100);
    const left = n - 1 - out.length;
    if (k < 65) {
      const row = alu[rand(alu.length)];
      out.push(insn(row, { dst: rand(10), src: rand(10), imm: rand(64) + 1 }));
    } else if (k < 75) {
      out.push(insn(rows.ldxdw, { dst: rand(10), src: 10, off: -8 * (1 + rand(60)) }));
    } else if (k < 82) {
      out.push(insn(rows.stxdw, { dst: 10, src: rand(10), off: -8 * (1 + rand(60)) }));
    } else if (k < 85) {
      out.push(insn(rows.ldxw, { dst: rand(10), src: 1, off: rand(64) }));
    } else if (k < 95 && left > 2) {
      const row = conds[rand(conds.length)];
      out.push(
        insn(row, {
          dst: rand(10),
          src: rand(10),
          imm: rand(100),
          off: 1 + rand(Math.min(60, left - 1)),
        }),
      );
    } else if (k < 98 && out.length > 2) {
      const row = conds[rand(conds.length)];
      out.push(
        insn(row, {
          dst: rand(10),
          src: rand(10),
          imm: rand(100),
          off: -1 - rand(Math.min(40, out.length - 1)),
        }),
      );
    } else {
      out.push(insn(rows.call, { imm: 5 }));
    }
  }
  out.push(insn(rows.exit));
  return encode(out);
}

const best = (f, times) => {
  let min = Number.POSITIVE_INFINITY;
  let result;
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    result = f();
    min = Math.min(min, performance.now() - t);
  }
  return [min, result];
};

console.log(
  'insns    compile ms  us/insn  budget ms  wasm KB  WebAssembly.Module ms  within target',
);
for (const n of [100, 1000, 10_000, 100_000]) {
  const program = generate(n);
  const times = n >= 100_000 ? 5 : 20;
  const [tc, compiled] = best(() => compile(program), times);
  const [tm] = best(() => new WebAssembly.Module(compiled.bytes), times);
  const target = n / 1000 + 2;
  console.log(
    `${String(n).padEnd(8)} ${tc.toFixed(2).padStart(10)}  ${((tc * 1000) / n).toFixed(3).padStart(7)}  ${target.toFixed(1).padStart(9)}  ${(compiled.bytes.length / 1024).toFixed(0).padStart(7)}  ${tm.toFixed(2).padStart(21)}  ${tc <= target ? 'yes' : 'NO'}`,
  );
}
