/**
 * Real packet bytes for checksum tests, with checksums from an independent RFC 1071 reference
 * (big-endian 16-bit words, as the RFC describes them), not from the code under test.
 */

/** RFC 1071: the ones'-complement of the ones'-complement sum of big-endian 16-bit words. */
export function rfc1071(bytes: Uint8Array, initial = 0): number {
  let sum = initial;
  for (let i = 0; i < bytes.length; i += 2) {
    sum += (bytes[i] << 8) | (i + 1 < bytes.length ? bytes[i + 1] : 0);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Whether a header whose checksum field is included verifies (RFC 1071: sums to all ones). */
export const verifies = (bytes: Uint8Array, initial = 0): boolean => rfc1071(bytes, initial) === 0;

export const ETH = 14;
export const IP = ETH;
export const IP_CSUM = IP + 10;
export const IP_SRC = IP + 12;
export const IP_DST = IP + 16;
export const L4 = IP + 20;

/** An Ethernet + IPv4 + UDP (17) or TCP (6) frame with correct IP and L4 checksums. */
export function buildFrame(options: {
  proto: 6 | 17;
  src: readonly number[];
  dst: readonly number[];
  sport: number;
  dport: number;
  payload: Uint8Array;
}): Uint8Array {
  const l4Header = options.proto === 17 ? 8 : 20;
  const l4Length = l4Header + options.payload.length;
  const frame = new Uint8Array(L4 + l4Length);
  const v = new DataView(frame.buffer);
  frame.set([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2], 0);
  v.setUint16(12, 0x0800);
  frame[IP] = 0x45;
  v.setUint16(IP + 2, 20 + l4Length);
  v.setUint16(IP + 4, 0x1234);
  frame[IP + 8] = 64;
  frame[IP + 9] = options.proto;
  frame.set(options.src, IP_SRC);
  frame.set(options.dst, IP_DST);
  v.setUint16(L4, options.sport);
  v.setUint16(L4 + 2, options.dport);
  if (options.proto === 17) v.setUint16(L4 + 4, l4Length);
  else frame[L4 + 12] = 0x50;
  frame.set(options.payload, L4 + l4Header);
  v.setUint16(IP_CSUM, rfc1071(frame.subarray(IP, L4)));
  v.setUint16(l4ChecksumOffset(frame), l4Checksum(frame));
  return frame;
}

/** Offset of the UDP or TCP checksum field. */
export function l4ChecksumOffset(frame: Uint8Array): number {
  return L4 + (frame[IP + 9] === 17 ? 6 : 16);
}

/** The pseudo-header sum (not inverted) for the frame's L4 segment. */
function pseudoSum(frame: Uint8Array): number {
  const v = new DataView(frame.buffer, frame.byteOffset);
  const length = frame.length - L4;
  let sum = 0;
  for (let i = IP_SRC; i < L4; i += 2) sum += v.getUint16(i);
  return sum + frame[IP + 9] + length;
}

/** The L4 checksum the frame should carry, computed from scratch (field taken as 0). */
export function l4Checksum(frame: Uint8Array): number {
  const segment = frame.slice(L4);
  const at = l4ChecksumOffset(frame) - L4;
  segment[at] = 0;
  segment[at + 1] = 0;
  return rfc1071(segment, pseudoSum(frame));
}

/** Whether the frame's L4 checksum verifies over pseudo-header and segment. */
export const l4Verifies = (frame: Uint8Array): boolean =>
  rfc1071(frame.subarray(L4), pseudoSum(frame)) === 0;
