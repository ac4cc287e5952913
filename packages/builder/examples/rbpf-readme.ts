/**
 * The instruction-builder example of rbpf's README, written with @ebpf/builder. rbpf chains
 * `program.add(Source::Imm, Arch::X64).set_dst(1).set_imm(0x605).push()` and so on; here the
 * mnemonic is the method, the register and immediate are its arguments, and the form (imm or
 * reg) follows from the operand. The test suite checks the bytes against those rbpf prints.
 *
 * `pnpm vitest run --project builder` runs it (test/examples.test.ts).
 */
import { ProgramBuilder, r0, r1, r2 } from '@ebpf/builder';

/** add64 r1, 0x605; mov64 r2, 0x32; mov64 r1, r0; be16 r0; neg64 r2; exit */
export function buildRbpfReadmeProgram(): Uint8Array {
  return new ProgramBuilder()
    .add64(r1, 0x605)
    .mov64(r2, 0x32)
    .mov64(r1, r0)
    .be16(r0)
    .neg64(r2)
    .exit()
    .toBytes();
}
