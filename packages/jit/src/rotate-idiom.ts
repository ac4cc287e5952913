import type { ProgramModel } from './program-model.js';
import { slotsAt, Trap } from './program-model.js';

/** A 64-bit rotate written as four eBPF instructions (see {@link matchRotate}). */
export interface RotateIdiom {
  /** The rotated register. */
  readonly x: number;
  /** The scratch register, which keeps its shifted copy of x. */
  readonly t: number;
  /** The shift the scratch register got: `lsh` (x rotates left by k) or `rsh` (right by k). */
  readonly op: 'lsh' | 'rsh';
  /** The scratch register's shift amount, 1-63. */
  readonly k: number;
}

/** Whether the slot at `pc` is a plain 64-bit ALU instruction `op` with `source`. */
function isAlu64(model: ProgramModel, pc: number, op: string, source: 'imm' | 'reg'): boolean {
  const row = model.rows[pc];
  return (
    row !== undefined &&
    model.trap[pc] === Trap.NONE &&
    row.kind === 'alu' &&
    row.width === 64 &&
    row.op === op &&
    row.source === source &&
    model.off[pc] === 0
  );
}

/**
 * Matches `mov t, x; rsh t, k; lsh x, 64-k; or x, t` (or `lsh`/`rsh` swapped) at `pc`: x rotates
 * by k and t keeps x shifted by k. WebAssembly's `i64.rotl`/`rotr` make it one instruction on
 * the loop-carried path instead of three (compilers emit the idiom for `(x << n) | (x >> 64-n)`).
 * The four slots must lie in one basic block; the caller checks that.
 *
 * @example
 * matchRotate(model, pc); // { x: 0, t: 7, op: 'rsh', k: 61 } for mov r7,r0; rsh r7,61; lsh r0,3; or r0,r7
 */
export function matchRotate(model: ProgramModel, pc: number): RotateIdiom | undefined {
  if (pc + 3 >= model.length) return undefined;
  for (let i = 0; i < 3; i++) if (slotsAt(model, pc + i) !== 1) return undefined;
  if (!isAlu64(model, pc, 'mov', 'reg')) return undefined;
  const t = model.dst[pc];
  const x = model.src[pc];
  if (t === x || t === 10 || x === 10) return undefined;
  const op = isAlu64(model, pc + 1, 'rsh', 'imm')
    ? 'rsh'
    : isAlu64(model, pc + 1, 'lsh', 'imm')
      ? 'lsh'
      : undefined;
  if (op === undefined || model.dst[pc + 1] !== t) return undefined;
  const k = model.imm[pc + 1];
  if (k < 1 || k > 63) return undefined;
  const other = op === 'rsh' ? 'lsh' : 'rsh';
  if (!isAlu64(model, pc + 2, other, 'imm') || model.dst[pc + 2] !== x) return undefined;
  if (model.imm[pc + 2] !== 64 - k) return undefined;
  if (!isAlu64(model, pc + 3, 'or', 'reg') || model.dst[pc + 3] !== x || model.src[pc + 3] !== t) {
    return undefined;
  }
  return { x, t, op, k };
}
