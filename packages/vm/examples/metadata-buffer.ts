/**
 * Twin of rbpf's README "using a metadata buffer" example, on an `EbpfVmMbuff`: r1 points to a
 * 32-byte metadata buffer the caller fills with the packet's start (at offset 8) and end (at
 * offset 24). The program loads the start pointer from the buffer, then the 16-bit little-endian
 * value at offset 2 of the packet: on aa bb 11 22 cc dd that is 0x2211.
 *
 * In rbpf the buffer holds host pointers; in this VM a program sees virtual addresses, so the
 * caller writes the input region's address (`INPUT_ADDRESS`) and the address just past the packet.
 */
import { EbpfVmMbuff, type ExecutionEngine, INPUT_ADDRESS } from '@ebpf/vm';

/** Load the packet start from mbuff+8, then the 16-bit word at packet+2. */
// biome-ignore format: one instruction (or header field group) per line
export const READ_VIA_MBUFF = new Uint8Array([
  0x79, 0x11, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, // ldxdw r1, [r1+8]
  0x69, 0x10, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, // ldxh r0, [r1+2]
  0x95, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // exit
]);

/** The packet the example runs on. */
export const PACKET = new Uint8Array([0xaa, 0xbb, 0x11, 0x22, 0xcc, 0xdd]);

/**
 * A 32-byte metadata buffer holding the start (offset 8) and end (offset 24) of a packet of
 * `length` bytes, as the program sees them.
 */
export function makeMbuff(length: number): Uint8Array {
  const mbuff = new Uint8Array(32);
  const view = new DataView(mbuff.buffer);
  view.setBigUint64(8, INPUT_ADDRESS, true);
  view.setBigUint64(24, INPUT_ADDRESS + BigInt(length), true);
  return mbuff;
}

/**
 * Runs the program on `packet` with its metadata buffer, interpreted or with the JIT `jit`.
 *
 * @example
 * runMetadataBuffer(); // 0x2211n
 */
export function runMetadataBuffer(packet: Uint8Array = PACKET, jit?: ExecutionEngine): bigint {
  const mbuff = makeMbuff(packet.length);
  if (jit === undefined) return new EbpfVmMbuff(READ_VIA_MBUFF).executeProgram(packet, mbuff);
  const vm = new EbpfVmMbuff(READ_VIA_MBUFF, { jit });
  vm.jitCompile();
  return vm.executeProgramJit(packet, mbuff);
}
