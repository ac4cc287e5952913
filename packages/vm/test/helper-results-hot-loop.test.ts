import { assemble } from '@ebpf/assembler';
import { EbpfVmNoData } from '@ebpf/vm';
import { describe, expect, it } from 'vitest';

/**
 * A regression test for a crash of Node 20's optimising compiler (V8 11.3, "Phi of kRepTagged
 * (UnsignedBigInt64) cannot be changed to kRepWord64"): when the interpreter loop was optimised
 * with helper calls whose results took two BigInt.asUintN paths, the whole process aborted. The
 * loop below runs long enough for V8 to optimise the interpreter with helpers that return
 * numbers and bigints alike.
 */
describe('helper calls in a hot loop', () => {
  it('survive the interpreter being optimised, whatever type the helper returns', () => {
    const program = assemble(`
      mov r6, 0
      mov r7, 0
    loop:
      mov r1, r6
      call 1
      add r7, r0
      mov r1, r6
      call 2
      add r7, r0
      add r6, 1
      jlt r6, 100000, loop
      mov r0, r7
      exit
    `);
    const vm = new EbpfVmNoData(program);
    vm.registerHelper(1, (r1) => r1 & 0xffn);
    vm.registerHelper(2, (r1) => (Number(r1) % 3 === 0 ? -1 : Number(r1 & 1n)));
    let expected = 0n;
    for (let i = 0n; i < 100000n; i++) {
      expected += (i & 0xffn) + (i % 3n === 0n ? 0xffff_ffff_ffff_ffffn : i & 1n);
    }
    for (let round = 0; round < 3; round++) {
      expect(vm.executeProgram()).toBe(BigInt.asUintN(64, expected));
    }
  });
});
