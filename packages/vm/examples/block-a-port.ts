/**
 * Twin of rbpf's README "loading code from an object file" example: a packet filter compiled
 * from C by clang (tools/fixtures/block-a-port/block-a-port.c) runs on an `EbpfVmFixedMbuff`,
 * which owns the metadata buffer and writes the packet's start at 0x40 and its end at 0x50
 * before each run, so the caller only hands over packets. The filter returns 0xffffffff (drop)
 * for an IPv4 TCP packet from or to port 0x9999, and 0 (pass) for anything else.
 *
 * The program's bytes are the object's `classifier` section, extracted by
 * tools/fixtures/build.sh (loading ELF objects directly is a later feature); the caller passes
 * them in, so the example itself needs no file system.
 */
import { EbpfVmFixedMbuff, type ExecutionEngine } from '@ebpf/vm';

/** Where the program expects the packet's start and end in the metadata buffer. */
export const DATA_OFFSET = 0x40;
export const DATA_END_OFFSET = 0x50;

/** What the filter returns for a packet it drops. */
export const DROP = 0xffffffffn;
/** What the filter returns for a packet it lets through. */
export const PASS = 0n;

/**
 * A real TCP packet (Ethernet, IPv4 from 127.0.0.1 to 127.0.0.1, TCP from port 0x9999 to
 * 0xc6cc, 7 bytes of data), as in rbpf's example.
 */
// biome-ignore format: one instruction (or header field group) per line
export const TCP_PACKET = new Uint8Array([
  // Ethernet: destination, source, EtherType 0x0800 (IPv4)
  0x01, 0x23, 0x45, 0x67, 0x89, 0xab,
  0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54,
  0x08, 0x00,
  // IPv4: version 4 / 5 words, total length 59, id, don't fragment, TTL 64, protocol 6 (TCP),
  // checksum, 127.0.0.1 -> 127.0.0.1
  0x45, 0x00, 0x00, 0x3b,
  0xa6, 0xab, 0x40, 0x00,
  0x40, 0x06, 0x96, 0x0f,
  0x7f, 0x00, 0x00, 0x01,
  0x7f, 0x00, 0x00, 0x01,
  // TCP: source port 0x9999, destination port 0xc6cc, sequence, acknowledgement, flags and
  // window, checksum and urgent pointer
  0x99, 0x99, 0xc6, 0xcc,
  0xd1, 0xe5, 0xc4, 0x9d,
  0xd4, 0x30, 0xb5, 0xd2,
  0x80, 0x18, 0x01, 0x56,
  0xfe, 0x2f, 0x00, 0x00,
  // data
  0x01, 0x01, 0x08, 0x0a,
  0x00, 0x23, 0x75, 0x89,
  0x00, 0x23, 0x63, 0x2d,
  0x71, 0x64, 0x66, 0x73,
  0x64, 0x66, 0x0a,
]);

/** Offsets of the TCP ports in {@link TCP_PACKET} (Ethernet 14 + IPv4 20 bytes in). */
export const SOURCE_PORT_OFFSET = 34;
export const DEST_PORT_OFFSET = 36;

/** A copy of `packet` with its TCP source and destination ports replaced (big-endian). */
export function withPorts(packet: Uint8Array, source: number, dest: number): Uint8Array {
  const copy = new Uint8Array(packet);
  const view = new DataView(copy.buffer);
  view.setUint16(SOURCE_PORT_OFFSET, source);
  view.setUint16(DEST_PORT_OFFSET, dest);
  return copy;
}

/**
 * A filter: one VM with the program loaded, run on each packet given (interpreted, or with the
 * JIT `jit`).
 *
 * @example
 * const filter = createPortFilter(programBytes);
 * filter(TCP_PACKET); // 0xffffffffn: source port 0x9999 is blocked
 */
export function createPortFilter(
  program: Uint8Array,
  jit?: ExecutionEngine,
): (packet: Uint8Array) => bigint {
  const vm = new EbpfVmFixedMbuff(program, DATA_OFFSET, DATA_END_OFFSET, jit ? { jit } : {});
  if (jit === undefined) return (packet) => vm.executeProgram(packet);
  vm.jitCompile();
  return (packet) => vm.executeProgramJit(packet);
}
