import type { ProgramModel } from './program-model.js';

/**
 * Which registers hold a pointer derived from r10 (copies of it, plus or minus constants) at a
 * point of a basic block: their accesses predict the stack region.
 */
export class StackPointers {
  mask = 1 << 10;

  /** Whether register `r` is known to point into the stack. */
  has(r: number): boolean {
    return ((this.mask >> r) & 1) === 1;
  }

  /** Updates the set for the effect of the instruction at `pc`. */
  step(model: ProgramModel, pc: number): void {
    const row = model.rows[pc];
    if (row === undefined) return;
    const d = model.dst[pc];
    switch (row.kind) {
      case 'alu':
        if (row.width === 64 && row.op === 'mov' && row.source === 'reg') {
          if (this.has(model.src[pc])) this.mask |= 1 << d;
          else this.mask &= ~(1 << d);
        } else if (
          !(
            row.width === 64 &&
            (row.op === 'add' || row.op === 'sub') &&
            (row.source === 'imm' || !this.has(model.src[pc]))
          )
        ) {
          this.mask &= ~(1 << d);
        }
        return;
      case 'neg':
      case 'movsx':
      case 'endian':
      case 'lddw':
      case 'load':
        this.mask &= ~(1 << d);
        return;
      case 'atomic':
        if (row.op === 'atomic_cmpxchg') this.mask &= ~1;
        else if (row.op.startsWith('atomic_fetch') || row.op === 'atomic_xchg') {
          this.mask &= ~(1 << model.src[pc]);
        }
        return;
      case 'call':
      case 'callx':
      case 'packet':
        this.mask &= row.op === 'call_local' ? ~0x3f : ~1;
        return;
      default:
        return;
    }
  }
}
