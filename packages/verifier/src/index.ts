/**
 * # @ebpf/verifier
 *
 * Swappable eBPF verifiers. A verifier is a value with a name and a `verify` function; the VM
 * takes one (its default is {@link structural}), and anyone can write their own.
 *
 * - `structural` (the default) checks what the bytes say: known, enabled opcodes; zero reserved
 *   fields; registers r0-r10 and r10 never written; whole `lddw`s; jumps and calls inside the
 *   program, never into an `lddw`'s second half; an `exit` reached on every path; registered
 *   helpers. It reports every problem, each with a stable code.
 * - `strict(options)` is a dataflow verifier in the spirit of Linux's and PREVAIL's: register
 *   kinds and ranges, stack initialisation, bounds of every memory access, packet checks, null
 *   checks, helper prototypes, loops rejected or proven bounded.
 * - `noVerifier` accepts everything, for hosts that verify elsewhere.
 *
 * @example
 * import { structural, strict, verifyOrThrow, VerifyError } from '@ebpf/verifier';
 *
 * const result = structural.verify({ bytes, host: { cpu: 'v3' } });
 * for (const p of result.problems) console.log(`${p.pc}: ${p.codeName} ${p.message} [${p.text}]`);
 *
 * // Throws a VerifyError (kind 'verify', code VERIFY_REFUSED, `problems`) when refused.
 * verifyOrThrow(strict({ loops: 'bounded' }), { bytes, host: { context: { size: 64 } } });
 *
 * @packageDocumentation
 */
export * from './abstract-state.js';
export * from './concrete-alu.js';
export * from './control-flow.js';
export * from './dataflow.js';
export * from './decode-program.js';
export * from './find-loops.js';
export * from './insn-text.js';
export * from './loop-bounds.js';
export * from './problem.js';
export * from './refine-branch.js';
export * from './scalar.js';
export * from './strict.js';
export * from './structural.js';
export * from './tnum.js';
export * from './verifier.js';
export * from './verify-errors.js';
export * from './verify-or-throw.js';
