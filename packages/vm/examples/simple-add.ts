/**
 * Twin of rbpf's README "simple example": a program that takes no input adds 1 and then 2 to a
 * zeroed r0 with 32-bit arithmetic, on an `EbpfVmNoData`. Expected result: 3.
 */
import { EbpfVmNoData } from '@ebpf/vm';

/** The program as bytecode, one 8-byte instruction per line. */
// biome-ignore format: one instruction (or header field group) per line
export const SIMPLE_ADD = new Uint8Array([
  0xb4, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // mov32 r0, 0
  0xb4, 0x01, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, // mov32 r1, 2
  0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, // add32 r0, 1
  0x0c, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // add32 r0, r1
  0x95, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // exit
]);

/**
 * Loads the program (the VM verifies it), runs it and returns r0.
 *
 * @example
 * runSimpleAdd(); // 3n
 */
export function runSimpleAdd(): bigint {
  const vm = new EbpfVmNoData(SIMPLE_ADD);
  return vm.executeProgram();
}
