import { isEbpfError } from '@ebpf/isa';
import { noVerifier } from '@ebpf/verifier';
import { EbpfVmRaw, type EngineKind, identityHelper, VM_BUDGET_EXHAUSTED } from '@ebpf/vm';
import { createJit } from '../../src/index.js';

/** What one run of a program does, as far as anyone can observe. */
export type Outcome =
  | { readonly kind: 'ok'; readonly r0: bigint; readonly insnCount: number; readonly mem: string }
  | {
      readonly kind: 'error';
      readonly code: number;
      readonly pc: number | undefined;
      readonly message: string;
      readonly mem: string;
    };

// No warm-up: it only makes V8 optimise sooner, and would cost each test program ~3 ms.
const jit = createJit({ warmUp: 'never' });
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Helper 7: reads 8 bytes at r1 (checked) and returns their sum plus r2. */
function sumHelper(
  r1: bigint,
  r2: bigint,
  _r3: bigint,
  _r4: bigint,
  _r5: bigint,
  ctx: { read(a: bigint, n: number): Uint8Array },
): bigint {
  let sum = r2;
  for (const b of ctx.read(r1, 8)) sum += BigInt(b);
  return sum;
}

/** A VM with no verifier (so bad programs reach the engines) and helpers 5 and 7. */
export function createTestVm(bytes: Uint8Array): EbpfVmRaw {
  const vm = new EbpfVmRaw(undefined, { verifier: noVerifier, jit });
  vm.registerHelper(5, identityHelper);
  vm.registerHelper(7, sumHelper);
  vm.setProgram(bytes);
  return vm;
}

/** Runs `bytes` once on `engine` over a copy of `mem`. */
export function runOn(
  vm: EbpfVmRaw,
  engine: EngineKind,
  mem: Uint8Array,
  budget: number | undefined,
): Outcome {
  const copy = new Uint8Array(mem);
  try {
    const r = vm.run(
      { mem: copy },
      { engine, args: [undefined, copy.length], ...(budget === undefined ? {} : { budget }) },
    );
    return { kind: 'ok', r0: r.r0, insnCount: r.insnCount, mem: hex(copy) };
  } catch (e) {
    if (!isEbpfError(e)) throw e;
    return { kind: 'error', code: e.code, pc: e.pc, message: e.message, mem: hex(copy) };
  }
}

/**
 * Runs a program on both engines with `budget` and, when both agree and the run finished within
 * the budget, once more on the JIT without a budget (its counting-only mode; never run when the
 * engines disagree, since a wrong JIT might then loop forever). Returns the outcomes.
 */
export function runBothEngines(
  bytes: Uint8Array,
  mem: Uint8Array,
  budget: number,
): { interp: Outcome; jit: Outcome; jitUnmetered: Outcome | undefined } {
  const vm = createTestVm(bytes);
  const interp = runOn(vm, 'interp', mem, budget);
  const viaJit = runOn(vm, 'jit', mem, budget);
  const finished = interp.kind === 'ok' || interp.code !== VM_BUDGET_EXHAUSTED;
  const agreed = JSON.stringify(interp, big) === JSON.stringify(viaJit, big);
  const jitUnmetered = finished && agreed ? runOn(vm, 'jit', mem, undefined) : undefined;
  return { interp, jit: viaJit, jitUnmetered };
}

const big = (_k: string, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v);
