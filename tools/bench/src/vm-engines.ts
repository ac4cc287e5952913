/**
 * Our two engines, timed in this process: the interpreter of `@ebpf/vm` and the WebAssembly JIT
 * of `@ebpf/jit`, through one `EbpfVmRaw` each (r1 = the input buffer or 0, r2 = its length).
 */
import { createJit } from '@ebpf/jit';
import { EbpfVmRaw, type EngineKind } from '@ebpf/vm';
import type { Benchmark } from './bench-suite.js';
import { type Measurement, timeCall } from './timing.js';

/**
 * Loads the benchmark into a VM (verifying it; for the JIT also compiling it, timed), then runs
 * it once (the first run), `warmup` times uncounted and `runs` times counted. Each run gets a
 * fresh copy of the input, made before its timer starts; only `vm.run` is timed.
 */
export async function measureVm(
  engine: EngineKind,
  bench: Benchmark,
  runs: number,
  warmup: number,
): Promise<Measurement> {
  const vm = new EbpfVmRaw(bench.program, {
    engine,
    ...(engine === 'jit' ? { jit: createJit() } : {}),
  });
  const compileNs = engine === 'jit' ? timeCall(() => vm.jitCompile()).ns : undefined;
  const args = [bench.mem ? undefined : 0, bench.mem?.length ?? 0];
  let wrongR0: bigint | undefined;
  const once = () => {
    const mem = bench.mem ? bench.mem.slice() : undefined;
    const { value, ns } = timeCall(() => vm.run({ mem }, { args }));
    if (value.r0 !== bench.expectedR0 && wrongR0 === undefined) wrongR0 = value.r0;
    return ns;
  };
  const firstNs = once();
  for (let i = 0; i < warmup; i++) once();
  const steadyNs = Array.from({ length: runs }, once);
  return {
    engine,
    benchmark: bench.name,
    firstNs,
    steadyNs,
    ...(compileNs === undefined ? {} : { compileNs }),
    correct: wrongR0 === undefined,
    ...(wrongR0 === undefined ? {} : { wrongR0 }),
  };
}
