/**
 * The example of the package guide (src/index.ts): a loop that sums the numbers n..1, where n is
 * the first 32-bit word of the input, with a backward jump to a label, a store to the stack and
 * an exit.
 */
import { ProgramBuilder, r0, r1, r2, r10 } from '@ebpf/builder';

/** r0 = n + (n-1) + ... + 1 for n = *(u32 *)r1 (n > 0); also saved at r10-8. */
export function buildSumLoop(): ProgramBuilder {
  return new ProgramBuilder()
    .mov64(r0, 0)
    .ldxw(r2, r1, 0)
    .label('loop')
    .add64(r0, r2)
    .sub64(r2, 1)
    .jne(r2, 0, 'loop')
    .stxdw(r10, -8, r0)
    .exit();
}
