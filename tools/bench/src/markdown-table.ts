/**
 * The results as a Markdown table: one row per benchmark and engine, native first.
 */
import type { Benchmark } from './bench-suite.js';
import { type Measurement, median } from './timing.js';
import { UBPF_BASELINE } from './ubpf-baseline.js';

const ENGINE_LABELS: Readonly<Record<string, string>> = {
  native: 'native gcc -O2',
  interp: 'our interpreter',
  jit: 'our JIT (Wasm)',
};

const fmtMs = (ns: number) => {
  const ms = ns / 1e6;
  return ms.toFixed(ms >= 100 ? 0 : ms >= 10 ? 1 : 2);
};
const fmtNsPerInsn = (ns: number, insts: number) => (ns / insts).toFixed(2);
const fmtRatio = (r: number) =>
  Number.isFinite(r) ? `${r < 10 ? r.toFixed(2) : r.toFixed(0)}×` : '–';

/**
 * Formats measurements as a Markdown table: first run and steady state (median) per engine, ns
 * per eBPF instruction (the benchmark's dynamic count), ratio to native, uBPF's ratio for the
 * same kind of engine, compile time and whether r0 was right.
 *
 * @example
 * console.log(formatTable(suite, measurements));
 */
export function formatTable(suite: readonly Benchmark[], measurements: readonly Measurement[]) {
  const lines = [
    '| benchmark | engine | first run ms | steady ms | ns/insn first | ns/insn steady | × native first | × native steady | uBPF × native | compile ms | r0 |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|',
  ];
  for (const bench of suite) {
    const rank = (engine: string) => {
      const i = Object.keys(ENGINE_LABELS).indexOf(engine);
      return i < 0 ? Number.MAX_SAFE_INTEGER : i;
    };
    const rows = measurements
      .filter((m) => m.benchmark === bench.name)
      .sort((a, b) => rank(a.engine) - rank(b.engine));
    const native = rows.find((m) => m.engine === 'native');
    const nativeNs = native ? median(native.steadyNs) : Number.NaN;
    for (const m of rows) {
      const steady = median(m.steadyNs);
      const baseline = UBPF_BASELINE[bench.name];
      const ubpf =
        m.engine === 'interp' && baseline
          ? fmtRatio(baseline.interp)
          : m.engine === 'jit' && baseline
            ? fmtRatio(baseline.jit)
            : '';
      const name = `${bench.name} (${(bench.dynamicInsts / 1e6).toFixed(1)}M insts)`;
      lines.push(
        `| ${name} | ${ENGINE_LABELS[m.engine] ?? m.engine} | ${fmtMs(m.firstNs)} | ${
          m.steadyNs.length ? fmtMs(steady) : '–'
        } | ${fmtNsPerInsn(m.firstNs, bench.dynamicInsts)} | ${
          m.steadyNs.length ? fmtNsPerInsn(steady, bench.dynamicInsts) : '–'
        } | ${m.engine === 'native' ? '1' : fmtRatio(m.firstNs / nativeNs)} | ${
          m.engine === 'native' ? '1' : fmtRatio(steady / nativeNs)
        } | ${ubpf} | ${m.compileNs === undefined ? '' : fmtMs(m.compileNs)} | ${
          m.correct ? 'ok' : `WRONG 0x${m.wrongR0?.toString(16)}`
        } |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
