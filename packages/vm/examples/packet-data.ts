/**
 * Twin of rbpf's README "with JIT, on packet data" example: the program reads one byte at
 * offset 2 of the packet it is handed directly in r1 (an `EbpfVmRaw`). rbpf's comment calls the
 * instruction `ldxh`, but opcode 0x71 is `ldxb`, a one-byte load; on the packet
 * aa bb 11 cc dd it gives 0x11.
 *
 * rbpf runs it JIT-compiled; here the engine is a parameter: the interpreter by default, or any
 * JIT engine (such as `@ebpf/jit`'s) the caller supplies. Both give the same result.
 */
import { EbpfVmRaw, type ExecutionEngine } from '@ebpf/vm';

/** `ldxb r0, [r1+2]` then `exit`. */
// biome-ignore format: one instruction (or header field group) per line
export const LOAD_THIRD_BYTE = new Uint8Array([
  0x71, 0x10, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, // ldxb r0, [r1+2]
  0x95, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // exit
]);

/** The packet the example runs on. */
export const PACKET = new Uint8Array([0xaa, 0xbb, 0x11, 0xcc, 0xdd]);

/**
 * Runs the program on `packet` with the interpreter, or JIT-compiled when `jit` is given.
 *
 * @example
 * runPacketData(); // 0x11n
 */
export function runPacketData(packet: Uint8Array = PACKET, jit?: ExecutionEngine): bigint {
  if (jit === undefined) return new EbpfVmRaw(LOAD_THIRD_BYTE).executeProgram(packet);
  const vm = new EbpfVmRaw(LOAD_THIRD_BYTE, { jit });
  vm.jitCompile();
  return vm.executeProgramJit(packet);
}
