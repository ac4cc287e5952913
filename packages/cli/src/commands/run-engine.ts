/**
 * How `ebpf run` executes a program: the VM set up as the conformance suite and the benchmarks
 * expect (r1 = the input buffer or 0 without one, r2 = its length, every CPU version and group
 * enabled, helper 5 the identity), on the interpreter or the JIT.
 */
import { createJit } from '@ebpf/jit';
import { createConformanceVm, type ExecutionEngine, type RunResult } from '@ebpf/vm';

/** The engines `--engine` accepts. */
export const ENGINES = ['interp', 'jit'] as const;
export type EngineName = (typeof ENGINES)[number];

/** A program loaded and verified (and, for the JIT, compiled), ready to run on inputs. */
export interface PreparedRun {
  /** Nanoseconds the JIT took to compile, for `--engine jit`. */
  readonly compileNs: number | undefined;
  /** Runs once on `mem` (written in place), or with no input. */
  run(mem: Uint8Array | undefined): RunResult;
}

/**
 * Loads `code` into a VM for `engine`, verifying it (and compiling it for the JIT).
 *
 * @throws VerifyError / VmError when the program is refused.
 */
export function prepareRun(
  code: Uint8Array,
  options: { engine: EngineName; budget?: number; jit?: ExecutionEngine },
): PreparedRun {
  const jit = options.engine === 'jit' ? (options.jit ?? createJit()) : undefined;
  const vm = createConformanceVm(code, {
    engine: options.engine,
    budget: options.budget ?? Number.POSITIVE_INFINITY,
    ...(jit ? { jit } : {}),
  });
  let compileNs: number | undefined;
  if (options.engine === 'jit') {
    const start = process.hrtime.bigint();
    vm.jitCompile();
    compileNs = Number(process.hrtime.bigint() - start);
  }
  return {
    compileNs,
    run: (mem) => vm.run({ mem }, { args: [mem ? undefined : 0, mem?.length ?? 0] }),
  };
}
