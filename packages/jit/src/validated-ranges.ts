import type { ProgramModel } from './program-model.js';

/**
 * Per register, the offsets an earlier access in the same block proved to lie in one region
 * (and whether that access was a store, which also needs write permission), while the register
 * is unchanged and no call came between (a helper may shrink the packet). An access inside that
 * range needs no check.
 */
export class ValidatedRanges {
  readonly lo = new Int32Array(11);
  readonly hi = new Int32Array(11);
  readonly store = new Uint8Array(11);

  /** Forgets everything (at the start of a block). */
  clear(): void {
    this.lo.fill(0);
    this.hi.fill(0);
  }

  /** Whether `[off, off + size)` through `r` was proved (a store needs a store's proof). */
  covers(r: number, off: number, size: number, store: boolean): boolean {
    return (
      this.lo[r] < this.hi[r] &&
      off >= this.lo[r] &&
      off + size <= this.hi[r] &&
      (!store || this.store[r] === 1)
    );
  }

  /** Records a checked access. */
  record(r: number, off: number, size: number, store: boolean): void {
    this.lo[r] = off;
    this.hi[r] = off + size;
    this.store[r] = store ? 1 : 0;
  }

  /** Forgets the registers the instruction at `pc` writes. */
  step(model: ProgramModel, pc: number): void {
    const row = model.rows[pc];
    if (row === undefined) return;
    const forget = (r: number) => {
      this.lo[r] = 0;
      this.hi[r] = 0;
    };
    switch (row.kind) {
      case 'alu':
      case 'neg':
      case 'movsx':
      case 'endian':
      case 'lddw':
      case 'load':
        forget(model.dst[pc]);
        return;
      case 'atomic':
        if (row.op === 'atomic_cmpxchg') forget(0);
        else if (row.op.startsWith('atomic_fetch') || row.op === 'atomic_xchg')
          forget(model.src[pc]);
        return;
      case 'call':
      case 'callx':
        // A call may change a region's bounds (packet tail adjustment): forget every proof.
        this.clear();
        return;
      case 'packet':
        forget(0);
        return;
      default:
        return;
    }
  }
}
