/**
 * The harness's command line: `pnpm bench [--runs N] [--warmup N] [--engines LIST]
 * [--only LIST] [--dir PATH] [--json]`.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** Engines the harness knows. */
export const ENGINES = ['native', 'interp', 'jit'] as const;
export type EngineName = (typeof ENGINES)[number];

/** The harness's settings. */
export interface BenchOptions {
  /** Timed runs per engine and benchmark after the warm-up (the steady state is their median). */
  readonly runs: number;
  /** Runs after the first one that are not counted. */
  readonly warmup: number;
  readonly engines: readonly EngineName[];
  /** Benchmarks to run by name; all when empty. */
  readonly only: readonly string[];
  /** The folder with expected.json, the programs and bench_native.c. */
  readonly dir: string;
  /** Also print the raw measurements as JSON. */
  readonly json: boolean;
  /** Measure our engines in this process instead of a fresh process per engine and benchmark. */
  readonly inProcess: boolean;
  readonly help: boolean;
}

/** The default bench folder: `shared/bench` next to the repository (../shared/bench from its root). */
export const DEFAULT_BENCH_DIR = fileURLToPath(
  new URL('../../../../shared/bench', import.meta.url),
);

/** Usage text. */
export const USAGE = `Usage: pnpm bench [options]

Times the four programs of the shared bench folder on native C (gcc -O2), our interpreter and
our JIT, in-process (start-up, loading and compiling excluded), checks r0 against expected.json
and prints a Markdown table.

Options:
  --runs N        timed runs per engine and benchmark after the warm-up (default 5)
  --warmup N      runs after the first one that are not counted (default 1)
  --engines LIST  comma-separated, from ${ENGINES.join(', ')} (default all)
  --only LIST     comma-separated benchmark names (default all)
  --dir PATH      the bench folder (default ${DEFAULT_BENCH_DIR}, or $EBPF_BENCH_DIR)
  --json          also print the measurements as JSON
  --in-process    time our engines in this process (default: a fresh Node process for each
                  engine and benchmark, so every first run starts from a cold V8)
  -h, --help      show this text
`;

function count(name: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min) {
    throw new Error(`--${name} wants a whole number >= ${min}, got '${text}'`);
  }
  return Number(text);
}

const list = (text: string | undefined) =>
  text === undefined
    ? []
    : text
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');

/**
 * Parses the harness's arguments; throws an `Error` with a readable message on bad ones.
 *
 * @example
 * parseBenchOptions(['--runs', '3', '--engines', 'native,jit']).engines; // ['native', 'jit']
 */
export function parseBenchOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): BenchOptions {
  // `pnpm bench -- --runs 3` hands the script a leading `--`; drop it.
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  const { values } = parseArgs({
    args,
    options: {
      runs: { type: 'string' },
      warmup: { type: 'string' },
      engines: { type: 'string' },
      only: { type: 'string' },
      dir: { type: 'string' },
      json: { type: 'boolean', default: false },
      'in-process': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const engines = values.engines === undefined ? [...ENGINES] : list(values.engines);
  for (const e of engines) {
    if (!(ENGINES as readonly string[]).includes(e)) {
      throw new Error(`unknown engine '${e}' (choose from ${ENGINES.join(', ')})`);
    }
  }
  if (engines.length === 0) throw new Error('--engines names no engine');
  return {
    runs: count('runs', values.runs, 5, 1),
    warmup: count('warmup', values.warmup, 1, 0),
    engines: engines as EngineName[],
    only: list(values.only),
    dir: values.dir ?? env.EBPF_BENCH_DIR ?? DEFAULT_BENCH_DIR,
    json: values.json ?? false,
    inProcess: values['in-process'] ?? false,
    help: values.help ?? false,
  };
}
