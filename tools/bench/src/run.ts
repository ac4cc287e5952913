/**
 * `pnpm bench`: times native C, our interpreter and our JIT on the shared bench programs and
 * prints a Markdown table (see bench-options.ts for the options).
 *
 * Each engine is timed in-process (native by its own timer; ours in a fresh Node process per
 * engine and benchmark unless `--in-process`), the first run and the median of the runs after the
 * warm-up apart, with start-up, loading and compiling left out (compile time is reported on its
 * own). r0 is checked against expected.json on every run; a wrong r0, or an engine that fails,
 * makes the exit code 1.
 */
import { join } from 'node:path';
import { type BenchOptions, parseBenchOptions, USAGE } from './bench-options.js';
import { loadSuite } from './bench-suite.js';
import { checkSource } from './check-sources.js';
import { formatTable } from './markdown-table.js';
import { buildNative, measureNative } from './native-engine.js';
import type { Measurement } from './timing.js';
import { measureVm } from './vm-engines.js';
import { measureInWorker } from './vm-worker.js';

const log = (text: string) => process.stderr.write(`${text}\n`);

async function main(options: BenchOptions): Promise<number> {
  const suite = (await loadSuite(options.dir)).filter(
    (b) => options.only.length === 0 || options.only.includes(b.name),
  );
  if (suite.length === 0) throw new Error(`no benchmark named ${options.only.join(', ')}`);
  const notes: string[] = [];
  const measurements: Measurement[] = [];
  let failed = false;
  const sourceChecks = suite.map(checkSource);
  for (const check of sourceChecks)
    if (check !== 'same' && check !== 'no-source') notes.push(check);
  const checked = sourceChecks.filter((c) => c === 'same').length;
  if (checked > 0)
    notes.push(`${checked} of ${suite.length} .asm sources assemble to their .bin exactly`);

  let native: Awaited<ReturnType<typeof buildNative>> | undefined;
  if (options.engines.includes('native')) {
    native = await buildNative(join(options.dir, 'bench_native.c'));
    if (native.binary === null) notes.push(`native skipped: ${native.reason}`);
  }
  try {
    for (const bench of suite) {
      for (const engine of options.engines) {
        log(`${bench.name}: ${engine}...`);
        if (engine === 'native') {
          if (native?.binary) {
            measurements.push(
              await measureNative(native.binary, bench, options.runs, options.warmup),
            );
          }
          continue;
        }
        try {
          measurements.push(
            options.inProcess
              ? await measureVm(engine, bench, options.runs, options.warmup)
              : await measureInWorker(
                  engine,
                  bench.name,
                  options.runs,
                  options.warmup,
                  options.dir,
                ),
          );
        } catch (e) {
          const err = e as { stderr?: unknown; message?: unknown };
          const text = String(err.stderr || err.message || e)
            .trim()
            .split('\n')[0];
          notes.push(`${engine} FAILED on ${bench.name}: ${text}`);
          failed = true;
        }
      }
    }
  } finally {
    await native?.binary?.dispose();
  }

  process.stdout.write(
    `Benchmarks from ${options.dir}: first run and median of ${options.runs} runs after ${options.warmup} warm-up run(s), timed in-process (execution only), ${
      options.inProcess
        ? 'every engine in this process'
        : 'each engine and benchmark in a fresh process'
    }.\n\n`,
  );
  process.stdout.write(formatTable(suite, measurements));
  if (options.engines.includes('jit')) {
    notes.push(
      "JIT compile ms is the time of vm.jitCompile(): all the engine does before the first run (for @ebpf/jit: compiling, instantiating, and its warm-up calls that let V8 optimise the code); whatever an engine leaves to the first call shows in 'first run'",
    );
  }
  if (notes.length > 0) process.stdout.write(`\nNotes:\n${notes.map((n) => `- ${n}\n`).join('')}`);
  if (options.json) {
    process.stdout.write(
      `\n${JSON.stringify(measurements, (_k, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v), 2)}\n`,
    );
  }
  return !failed && measurements.every((m) => m.correct) ? 0 : 1;
}

let options: BenchOptions;
try {
  options = parseBenchOptions(process.argv.slice(2), process.env);
} catch (e) {
  process.stderr.write(`bench: ${(e as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
if (options.help) {
  process.stdout.write(USAGE);
} else {
  process.exitCode = await main(options);
}
