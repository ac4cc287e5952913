/**
 * Building {@link VerifyProblem}s: a code, the instruction it is about, its text and a plain
 * explanation.
 */
import type { DecodedInsn } from '@ebpf/isa';
import { formatInsnText } from './insn-text.js';
import type { VerifyProblem } from './verifier.js';
import { verifyCodeName } from './verify-errors.js';

/**
 * A problem about one instruction (or about the whole program when `insn` is a bare pc or
 * undefined).
 *
 * @example
 * createProblem(VERIFY_WRITE_FRAME_POINTER, insn, 'r10 is read-only');
 */
export function createProblem(
  code: number,
  at: DecodedInsn | number | undefined,
  message: string,
  extra: { readonly text?: string; readonly state?: readonly string[] } = {},
): VerifyProblem {
  const insn = typeof at === 'object' ? at : undefined;
  const pc = typeof at === 'object' ? at.pc : at;
  return {
    code,
    codeName: verifyCodeName(code),
    pc,
    text: extra.text ?? (insn ? formatInsnText(insn) : undefined),
    message,
    ...(extra.state ? { state: extra.state } : {}),
  };
}

/** Problems in program order (program-wide ones first), each (code, pc) once. */
export function sortProblems(problems: readonly VerifyProblem[]): VerifyProblem[] {
  const seen = new Set<string>();
  const out: VerifyProblem[] = [];
  for (const p of problems) {
    const key = `${p.code}:${p.pc ?? -1}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(p);
  }
  return out.sort((a, b) => (a.pc ?? -1) - (b.pc ?? -1) || a.code - b.code);
}
