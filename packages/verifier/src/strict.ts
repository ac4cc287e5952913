/**
 * The strict verifier: structural checks, then the dataflow analysis, then the rules over the
 * whole program (unreachable code, loops).
 */
import { analyseDataflow, type DataflowLimits } from './dataflow.js';
import { decodeProgram } from './decode-program.js';
import { proveLoopBound } from './loop-bounds.js';
import { createProblem, sortProblems } from './problem.js';
import { checkStructure, type StructuralOptions } from './structural.js';
import type { Verifier, VerifierInput, VerifyProblem, VerifyResult } from './verifier.js';
import { VERIFY_LOOP, VERIFY_UNBOUNDED_LOOP, VERIFY_UNREACHABLE } from './verify-errors.js';

/** How `strict` treats loops and how hard it works. */
export interface StrictOptions extends DataflowLimits {
  /** `'reject'` refuses every loop; `'bounded'` (default) accepts loops that end. */
  readonly loops?: 'reject' | 'bounded';
  /**
   * How a loop must be shown to end: `'proof'` (default) finds an induction register and a bound;
   * `'budget'` relies on the host's instruction budget (`host.budget`) to stop any run.
   */
  readonly boundedBy?: 'proof' | 'budget';
  /** Largest proven iteration count accepted (default 1,000,000). */
  readonly maxIterations?: number;
  /** RFC-or-kernel choices of the structural pass. */
  readonly structural?: StructuralOptions;
}

function verifyStrict(input: VerifierInput, options: StrictOptions): VerifyResult {
  const program = decodeProgram(input.bytes);
  const structuralProblems = checkStructure(program, input.host, options.structural);
  if (structuralProblems.length > 0) return { ok: false, problems: structuralProblems };
  // Merging every loop iteration is fast; when it refuses a program with loops, a second run
  // that keeps the first iterations apart (as a path-walking verifier would) may prove it safe.
  let flow = analyseDataflow(program, input.host, { ...options, unroll: 0 });
  const unroll = options.unroll ?? 32;
  if (flow.problems.length > 0 && flow.loops.length > 0 && unroll > 0) {
    const precise = analyseDataflow(program, input.host, { ...options, unroll });
    if (precise.problems.length === 0) flow = precise;
  }
  const problems: VerifyProblem[] = [...flow.problems];
  // Unreachable code: one problem per run of unreachable instructions.
  for (let pc = 0; pc < program.slots; pc++) {
    const insn = program.at[pc];
    if (!insn || flow.reachable[pc]) continue;
    const prev = pc > 0 && program.secondSlot[pc - 1] ? pc - 2 : pc - 1;
    if (prev >= 0 && program.at[prev] && !flow.reachable[prev]) continue;
    problems.push(
      createProblem(VERIFY_UNREACHABLE, insn, 'no path from the entry reaches this instruction'),
    );
  }
  const loops = options.loops ?? 'bounded';
  const by = options.boundedBy ?? 'proof';
  const limit = BigInt(options.maxIterations ?? 1_000_000);
  const byHeader = new Map(flow.loops.map((l) => [l.header, l]));
  for (const loop of flow.loops) {
    if (!flow.reachable[loop.header]) continue;
    const latch = program.at[Math.max(...loop.latches)];
    if (loops === 'reject') {
      problems.push(
        createProblem(
          VERIFY_LOOP,
          latch,
          `this jumps back to ${loop.header}, forming a loop; the host does not accept loops`,
        ),
      );
      continue;
    }
    if (by === 'budget') {
      if (!(input.host.budget !== undefined && input.host.budget > 0)) {
        problems.push(
          createProblem(
            VERIFY_UNBOUNDED_LOOP,
            latch,
            `loop back to ${loop.header} is bounded only by an instruction budget, and the host declares none`,
          ),
        );
      }
      continue;
    }
    const bound = proveLoopBound(loop, program.at, flow.loopEntry.get(loop.header) ?? [], byHeader);
    if ('reason' in bound) {
      problems.push(
        createProblem(
          VERIFY_UNBOUNDED_LOOP,
          latch,
          `cannot prove that the loop back to ${loop.header} ends: ${bound.reason}`,
        ),
      );
    } else if (bound.iterations > limit) {
      problems.push(
        createProblem(
          VERIFY_UNBOUNDED_LOOP,
          latch,
          `the loop back to ${loop.header} may run ${bound.iterations} times; at most ${limit} are accepted`,
        ),
      );
    }
  }
  const sorted = sortProblems(problems);
  return { ok: sorted.length === 0, problems: sorted };
}

/**
 * A dataflow verifier in the spirit of Linux's and PREVAIL's (see the package guide).
 *
 * @example
 * const v = strict({ loops: 'bounded' });
 * v.verify({ bytes, host: { context: { size: 16, input: true } } });
 */
export function strict(options: StrictOptions = {}): Verifier {
  return Object.freeze({
    name: 'strict',
    verify: (input: VerifierInput) => verifyStrict(input, options),
  });
}
