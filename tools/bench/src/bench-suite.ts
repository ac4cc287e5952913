/**
 * The benchmark suite: the programs, inputs and expected results listed in the shared bench
 * folder's `expected.json`, read from disk.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One benchmark program with its input and the facts `expected.json` gives about it. */
export interface Benchmark {
  readonly name: string;
  /** Raw little-endian bytecode, 8 bytes per slot. */
  readonly program: Uint8Array;
  /** The program's assembly text (the `.asm` beside the `.bin`), when there is one. */
  readonly source: string | null;
  /** The input buffer (r1), or `null` when the program takes none. */
  readonly mem: Uint8Array | null;
  /** The argument `bench_native` takes to run the same algorithm in C. */
  readonly native: string;
  readonly expectedR0: bigint;
  /** Instructions executed by one run (`lddw` counted once). */
  readonly dynamicInsts: number;
}

interface ExpectedEntry {
  name: string;
  program: string;
  mem: string | null;
  native: string;
  expected_r0: string;
  dynamic_insts: number;
}

/**
 * Reads `expected.json` in `dir` and loads each benchmark's program and input.
 *
 * @example
 * const suite = await loadSuite('/work/shared/bench');
 * console.log(suite.map((b) => b.name)); // ['alu_loop', 'mem_checksum', 'collatz', 'sieve']
 */
export async function loadSuite(dir: string): Promise<Benchmark[]> {
  const text = await readFile(join(dir, 'expected.json'), 'utf8');
  const entries = (JSON.parse(text) as { benchmarks: ExpectedEntry[] }).benchmarks;
  return Promise.all(
    entries.map(async (e) => ({
      name: e.name,
      program: new Uint8Array(await readFile(join(dir, e.program))),
      source: await readFile(join(dir, e.program.replace(/\.bin$/, '.asm')), 'utf8').catch(
        () => null,
      ),
      mem: e.mem === null ? null : new Uint8Array(await readFile(join(dir, e.mem))),
      native: e.native,
      expectedR0: BigInt(e.expected_r0),
      dynamicInsts: e.dynamic_insts,
    })),
  );
}
