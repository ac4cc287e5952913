/**
 * One engine on one benchmark in a fresh Node process, so that its first run starts from a cold
 * V8 (no code warmed up by earlier benchmarks) and no garbage from them. Started by the harness:
 *
 *     node dist/vm-worker.js ENGINE BENCHMARK RUNS WARMUP DIR
 *
 * It prints the measurement as one line of JSON (bigints as `0x...` strings).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadSuite } from './bench-suite.js';
import type { Measurement } from './timing.js';
import { measureVm } from './vm-engines.js';

const run = promisify(execFile);
const WORKER = fileURLToPath(import.meta.url);

/**
 * Measures `engine` on the benchmark named `name` in a child process.
 *
 * @example
 * const m = await measureInWorker('jit', 'collatz', 5, 1, '/work/shared/bench');
 */
export async function measureInWorker(
  engine: 'interp' | 'jit',
  name: string,
  runs: number,
  warmup: number,
  dir: string,
): Promise<Measurement> {
  const { stdout } = await run(
    process.execPath,
    [WORKER, engine, name, String(runs), String(warmup), dir],
    { maxBuffer: 1 << 20 },
  );
  const lines = stdout.trim().split('\n');
  const parsed = JSON.parse(lines[lines.length - 1]!) as Measurement & { wrongR0?: string };
  return parsed.wrongR0 === undefined ? parsed : { ...parsed, wrongR0: BigInt(parsed.wrongR0) };
}

if (process.argv[1] === WORKER) {
  const [engine, name, runs, warmup, dir] = process.argv.slice(2);
  const bench = (await loadSuite(dir!)).find((b) => b.name === name);
  if (!bench || (engine !== 'interp' && engine !== 'jit')) {
    process.stderr.write(`vm-worker: bad arguments ${process.argv.slice(2).join(' ')}\n`);
    process.exit(2);
  }
  try {
    const m = await measureVm(engine, bench, Number(runs), Number(warmup));
    process.stdout.write(
      `${JSON.stringify(m, (_k, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v))}\n`,
    );
  } catch (e) {
    // One line for the harness's notes: the typed error's code name and message.
    const err = e as { codeName?: unknown; message?: unknown };
    const name = typeof err.codeName === 'string' ? `${err.codeName}: ` : '';
    process.stderr.write(`${name}${String(err.message ?? e).split('\n')[0]}\n`);
    process.exit(1);
  }
}
