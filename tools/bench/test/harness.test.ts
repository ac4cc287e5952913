import { describe, expect, it } from 'vitest';
import { DEFAULT_BENCH_DIR, parseBenchOptions } from '../src/bench-options.js';
import { type Benchmark, loadSuite } from '../src/bench-suite.js';
import { checkSource } from '../src/check-sources.js';
import { formatTable } from '../src/markdown-table.js';
import { buildNative, parseNativeOutput } from '../src/native-engine.js';
import { type Measurement, median } from '../src/timing.js';
import { measureVm } from '../src/vm-engines.js';

describe('bench harness: options', () => {
  it('defaults to 5 runs, 1 warm-up, every engine and benchmark, the shared bench folder', () => {
    const o = parseBenchOptions([]);
    expect(o).toMatchObject({
      runs: 5,
      warmup: 1,
      engines: ['native', 'interp', 'jit'],
      only: [],
      inProcess: false,
    });
    expect(parseBenchOptions(['--in-process']).inProcess).toBe(true);
    expect(o.dir).toBe(DEFAULT_BENCH_DIR);
    expect(DEFAULT_BENCH_DIR.endsWith('/shared/bench')).toBe(true);
  });

  it('reads runs, engines, benchmarks and the folder (also after the `--` pnpm passes on)', () => {
    const o = parseBenchOptions(
      ['--', '--runs', '3', '--warmup', '0', '--engines', 'native,jit', '--only', 'sieve'],
      { EBPF_BENCH_DIR: '/elsewhere' },
    );
    expect(o).toMatchObject({ runs: 3, warmup: 0, engines: ['native', 'jit'], only: ['sieve'] });
    expect(o.dir).toBe('/elsewhere');
    expect(parseBenchOptions(['--dir', '/x'], { EBPF_BENCH_DIR: '/y' }).dir).toBe('/x');
  });

  it('refuses unknown engines, zero runs and stray arguments with a readable message', () => {
    expect(() => parseBenchOptions(['--engines', 'ubpf'])).toThrow(/unknown engine 'ubpf'/);
    expect(() => parseBenchOptions(['--runs', '0'])).toThrow(/--runs wants a whole number >= 1/);
    expect(() => parseBenchOptions(['--runs', 'many'])).toThrow(/--runs/);
    expect(() => parseBenchOptions(['alu'])).toThrow();
  });
});

describe('bench harness: native output and statistics', () => {
  it("reads bench_native's r0 (stdout) and in-process time (stderr)", () => {
    expect(parseNativeOutput('0x22046dd\n', 'elapsed_ns 45600000\n')).toEqual({
      r0: 0x22046ddn,
      ns: 45600000,
    });
    expect(parseNativeOutput('64dbe4af3070d804\n', 'elapsed_ns 7\n').r0).toBe(0x64dbe4af3070d804n);
    expect(() => parseNativeOutput('', 'elapsed_ns 1\n')).toThrow(/unexpected bench_native output/);
    expect(() => parseNativeOutput('0x1\n', 'oops\n')).toThrow(/unexpected bench_native output/);
  });

  it('skips native with a reason when the compiler is missing', async () => {
    const built = await buildNative('/nonexistent/bench_native.c', 'no-such-cc-for-ebpf-bench');
    expect(built).toEqual({ binary: null, reason: 'no-such-cc-for-ebpf-bench not found' });
  });

  it('takes the median of odd and even counts without reordering its input', () => {
    const values = [9, 1, 5];
    expect(median(values)).toBe(5);
    expect(values).toEqual([9, 1, 5]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe('bench harness: the Markdown table', () => {
  const bench: Benchmark = {
    name: 'collatz',
    program: new Uint8Array(8),
    source: null,
    mem: null,
    native: 'collatz',
    expectedR0: 1n,
    dynamicInsts: 200_000_000,
  };
  const m = (engine: string, firstNs: number, steadyNs: number[], extra = {}): Measurement => ({
    engine,
    benchmark: 'collatz',
    firstNs,
    steadyNs,
    correct: true,
    ...extra,
  });

  it('gives ns per instruction and the ratio to native for first run and steady state, with uBPF beside, native first', () => {
    const table = formatTable(
      [bench],
      [
        m('jit', 100e6, [48e6], { compileNs: 1.5e6 }),
        m('interp', 1000e6, [800e6]),
        m('native', 50e6, [40e6, 40e6, 60e6]),
      ],
    );
    const rows = table.trim().split('\n');
    expect(rows).toHaveLength(5);
    expect(rows[0]).toMatch(
      /^\| benchmark \| engine \| first run ms \| steady ms \| ns\/insn first/,
    );
    expect(rows[2]).toBe(
      '| collatz (200.0M insts) | native gcc -O2 | 50.0 | 40.0 | 0.25 | 0.20 | 1 | 1 |  |  | ok |',
    );
    expect(rows[3]).toBe(
      '| collatz (200.0M insts) | our interpreter | 1000 | 800 | 5.00 | 4.00 | 25× | 20× | 29× |  | ok |',
    );
    expect(rows[4]).toBe(
      '| collatz (200.0M insts) | our JIT (Wasm) | 100 | 48.0 | 0.50 | 0.24 | 2.50× | 1.20× | 1.22× | 1.50 | ok |',
    );
  });

  it('flags a wrong r0 and leaves ratios out when native did not run', () => {
    const table = formatTable([bench], [m('interp', 10, [10], { correct: false, wrongR0: 0xffn })]);
    expect(table).toContain('| – | – | 29× |  | WRONG 0xff |');
  });
});

describe('bench harness: the suite', () => {
  it('loads the four shared benchmarks with their inputs and expected results', async () => {
    const suite = await loadSuite(DEFAULT_BENCH_DIR);
    expect(suite.map((b) => b.name)).toEqual(['alu_loop', 'mem_checksum', 'collatz', 'sieve']);
    for (const b of suite) {
      expect(b.program.length % 8).toBe(0);
      expect(b.dynamicInsts).toBeGreaterThan(b.program.length / 8);
    }
    expect(suite.find((b) => b.name === 'sieve')?.mem?.length).toBe(65536);
    expect(suite.find((b) => b.name === 'collatz')?.expectedR0).toBe(0x22046ddn);
  });

  it('finds that our assembler turns each .asm into its .bin exactly, and notices a difference', async () => {
    const suite = await loadSuite(DEFAULT_BENCH_DIR);
    expect(suite.map(checkSource)).toEqual(['same', 'same', 'same', 'same']);
    const changed = new Uint8Array(suite[2]!.program);
    changed[8 * 3 + 4] ^= 1;
    expect(checkSource({ ...suite[2]!, program: changed })).toBe(
      'collatz.asm assembles to other bytes than the .bin, from slot 3',
    );
    expect(checkSource({ ...suite[2]!, source: 'bogus r0' })).toMatch(
      /^collatz.asm does not assemble: /,
    );
    expect(checkSource({ ...suite[2]!, source: null })).toBe('no-source');
  });
});

describe('bench harness: our engines', () => {
  // r0 = r2 (the input's length) + 1: small enough to run in a test.
  const tiny: Benchmark = {
    name: 'tiny',
    program: new Uint8Array([
      ...[0xbf, 0x20, 0, 0, 0, 0, 0, 0],
      ...[0x07, 0x00, 0, 0, 1, 0, 0, 0],
      ...[0x95, 0, 0, 0, 0, 0, 0, 0],
    ]),
    source: null,
    mem: new Uint8Array(16),
    native: 'tiny',
    expectedR0: 17n,
    dynamicInsts: 3,
  };

  it.each(['interp', 'jit'] as const)(
    '%s: runs first + warm-up + timed runs with r1/r2 set, and checks r0',
    async (engine) => {
      const m = await measureVm(engine, tiny, 4, 2);
      expect(m).toMatchObject({ engine, benchmark: 'tiny', correct: true });
      expect(m.steadyNs).toHaveLength(4);
      expect(m.compileNs === undefined).toBe(engine === 'interp');
      const wrong = await measureVm(engine, { ...tiny, expectedR0: 18n }, 1, 0);
      expect(wrong).toMatchObject({ correct: false, wrongR0: 17n });
    },
  );
});
