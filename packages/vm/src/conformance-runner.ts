/**
 * The environment the bpf_conformance suite assumes (see shared/conformance/README.md): r1 = a
 * writable copy of the test's memory (0 when it has none), r2 = its length, r10 = the stack, and
 * helper 5 the identity. Every CPU version and group is enabled, callx and packet included. The
 * `ebpf conformance` command and this package's tests both run tests through here.
 */
import { CONFORMANCE_GROUPS } from '@ebpf/isa';
import type { Verifier } from '@ebpf/verifier';
import { EbpfVmRaw, type RunResult } from './ebpf-vm.js';
import type { EngineKind, ExecutionEngine } from './engine.js';
import { identityHelper } from './helpers.js';

/** How to run a conformance program. */
export interface ConformanceRunOptions {
  /** `'interp'` (default) or `'jit'` (then `jit` is required). */
  readonly engine?: EngineKind;
  readonly jit?: ExecutionEngine;
  /** Instruction budget (default 1,000,000: every test in the suite needs far fewer). */
  readonly budget?: number;
  /** Verifier (default `structural` with every group and CPU version enabled). */
  readonly verifier?: Verifier;
}

/** The default budget of a conformance run. */
export const CONFORMANCE_BUDGET = 1_000_000;

/**
 * A VM set up as the conformance suite expects, with `program` loaded (and verified).
 *
 * @example
 * const vm = createConformanceVm(assemble(test.asm!));
 * vm.run({ mem: test.mem }, { args: [test.mem ? undefined : 0, test.mem?.length ?? 0] });
 */
export function createConformanceVm(
  program: Uint8Array,
  options: ConformanceRunOptions = {},
): EbpfVmRaw {
  const vm = new EbpfVmRaw(undefined, {
    cpu: 'v4',
    groups: CONFORMANCE_GROUPS,
    engine: options.engine ?? 'interp',
    budget: options.budget ?? CONFORMANCE_BUDGET,
    ...(options.jit ? { jit: options.jit } : {}),
    ...(options.verifier ? { verifier: options.verifier } : {}),
  });
  vm.registerHelper(5, identityHelper);
  vm.setProgram(program);
  return vm;
}

/**
 * Runs one conformance program on `mem` (a copy is made; `undefined` for no memory).
 *
 * @example
 * runConformanceProgram(bytes, new Uint8Array([0, 0, 0, 1])).r0;
 */
export function runConformanceProgram(
  program: Uint8Array,
  mem: Uint8Array | undefined,
  options: ConformanceRunOptions = {},
): RunResult {
  const vm = createConformanceVm(program, options);
  const copy = mem ? new Uint8Array(mem) : undefined;
  return vm.run({ mem: copy }, { args: [copy ? undefined : 0, copy?.length ?? 0] });
}
