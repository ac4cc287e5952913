// Times the JIT on the shared benchmarks (../shared/bench) against native C (gcc -O2).
// Build first: `pnpm -s typecheck` (tsc -b writes every package's dist), then
//   node packages/jit/scripts/bench.mjs [runs] [--no-native] [--only=a,b] [--warm-up=loops|never]
//   [--budget=N] (run with an instruction budget: the exact-stop checks)
// Prints, per benchmark: the first call (instantiation, warm-up and the run) and the steady
// state (best of later calls), in ms and relative to native (best of as many runs), plus r0 and
// the instruction count checked against expected.json.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createJit } from '@ebpf/jit';
import { EbpfVmRaw } from '@ebpf/vm';

const BENCH = join(import.meta.dirname, '../../../../shared/bench');
const runs = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 5);
const native = !process.argv.includes('--no-native');
const spec = JSON.parse(readFileSync(join(BENCH, 'expected.json'), 'utf8')).benchmarks;
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');
const warmUp = process.argv.find((a) => a.startsWith('--warm-up='))?.slice(10) ?? 'loops';
const budgetArg = process.argv.find((a) => a.startsWith('--budget='))?.slice(9);
const budget = budgetArg === undefined ? {} : { budget: Number(budgetArg) };

let exe;
if (native) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-native-'));
  exe = join(dir, 'bench_native');
  execFileSync('gcc', ['-O2', '-o', exe, join(BENCH, 'bench_native.c')]);
}

for (const b of spec) {
  if (only && !only.includes(b.name)) continue;
  const program = new Uint8Array(readFileSync(join(BENCH, b.program)));
  const mem = new Uint8Array(65536);
  const t0 = performance.now();
  const vm = new EbpfVmRaw(program, { jit: createJit({ warmUp }), engine: 'jit' });
  vm.jitCompile();
  const tc = performance.now() - t0;
  const go = () => vm.run({ mem }, { args: [undefined, mem.length], ...budget });
  const t1 = performance.now();
  const first = go();
  const firstMs = performance.now() - t1;
  const steady = [];
  let last = first;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    last = go();
    steady.push(performance.now() - t);
  }
  const ok = `0x${last.r0.toString(16)}` === b.expected_r0 && last.insnCount === b.dynamic_insts;
  let nat = Number.NaN;
  if (native) {
    const times = [];
    for (let i = 0; i < runs; i++) {
      const { stderr } = spawnSync(exe, [b.native], { encoding: 'utf8' });
      times.push(Number(/elapsed_ns (\d+)/.exec(stderr)?.[1] ?? Number.NaN) / 1e6);
    }
    nat = Math.min(...times);
  }
  const s = Math.min(...steady);
  console.log(
    `${b.name.padEnd(13)} compile ${tc.toFixed(2)} ms | first ${firstMs.toFixed(1)} ms (${(firstMs / nat).toFixed(2)}x) | steady ${s.toFixed(1)} ms (${(s / nat).toFixed(2)}x) | native ${nat.toFixed(1)} ms | r0 ${ok ? 'ok' : `WRONG ${last.r0.toString(16)} count ${last.insnCount}`}`,
  );
}
