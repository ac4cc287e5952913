/**
 * The native baseline: `bench_native.c` compiled with `gcc -O2` into a temporary folder and run
 * once per measurement; its own in-process timer (`elapsed_ns N` on stderr) leaves process
 * start-up out.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Benchmark } from './bench-suite.js';
import type { Measurement } from './timing.js';

const run = promisify(execFile);

/** A compiled `bench_native` binary and the folder to remove afterwards. */
export interface NativeBinary {
  readonly path: string;
  dispose(): Promise<void>;
}

/**
 * Compiles `bench_native.c` with `gcc -O2`; resolves to `null` with the reason when gcc is
 * missing or fails, so the other engines still run.
 */
export async function buildNative(
  source: string,
  cc = process.env.CC ?? 'gcc',
): Promise<{ binary: NativeBinary } | { binary: null; reason: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'ebpf-bench-'));
  const path = join(dir, 'bench_native');
  const dispose = () => rm(dir, { recursive: true, force: true });
  try {
    await run(cc, ['-O2', '-o', path, source]);
    return { binary: { path, dispose } };
  } catch (e) {
    await dispose();
    const err = e as { code?: unknown; stderr?: unknown; message?: unknown };
    const reason =
      err.code === 'ENOENT'
        ? `${cc} not found`
        : `${cc} failed: ${
            String(err.stderr || err.message)
              .trim()
              .split('\n')[0]
          }`;
    return { binary: null, reason };
  }
}

/**
 * Reads `bench_native`'s output: r0 in hex on stdout, `elapsed_ns N` on stderr.
 *
 * @example
 * parseNativeOutput('0x22046dd\n', 'elapsed_ns 45600000\n'); // { r0: 0x22046ddn, ns: 45600000 }
 */
export function parseNativeOutput(stdout: string, stderr: string): { r0: bigint; ns: number } {
  const elapsed = /^elapsed_ns (\d+)$/m.exec(stderr);
  const lines = stdout.trim().split('\n');
  const last = lines[lines.length - 1]?.trim() ?? '';
  if (!elapsed || !/^(0x)?[0-9a-f]+$/i.test(last)) {
    throw new Error(`unexpected bench_native output: ${JSON.stringify({ stdout, stderr })}`);
  }
  return { r0: BigInt(last.startsWith('0x') ? last : `0x${last}`), ns: Number(elapsed[1]) };
}

/** Runs the benchmark natively once, plus `warmup` runs not counted, plus `runs` timed runs. */
export async function measureNative(
  binary: NativeBinary,
  bench: Benchmark,
  runs: number,
  warmup: number,
): Promise<Measurement> {
  const once = async () => {
    const { stdout, stderr } = await run(binary.path, [bench.native]);
    return parseNativeOutput(stdout, stderr);
  };
  let wrongR0: bigint | undefined;
  const check = (r0: bigint) => {
    if (r0 !== bench.expectedR0 && wrongR0 === undefined) wrongR0 = r0;
  };
  const first = await once();
  check(first.r0);
  for (let i = 0; i < warmup; i++) check((await once()).r0);
  const steadyNs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await once();
    check(r.r0);
    steadyNs.push(r.ns);
  }
  return {
    engine: 'native',
    benchmark: bench.name,
    firstNs: first.ns,
    steadyNs,
    correct: wrongR0 === undefined,
    ...(wrongR0 === undefined ? {} : { wrongR0 }),
  };
}
