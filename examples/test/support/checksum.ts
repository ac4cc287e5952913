/**
 * The Internet checksum (RFC 1071), written out plainly so that the tests check the examples'
 * incremental checksum updates against a full recomputation.
 */

/** The 16-bit ones' complement of the ones' complement sum of `parts`, concatenated. */
export function internetChecksum(...parts: readonly Uint8Array[]): number {
  const bytes = concatBytes(...parts);
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) {
    sum += (bytes[i] << 8) | (bytes[i + 1] ?? 0);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** `parts` joined into one array. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** What {@link checkIpv4Frame} found in an Ethernet frame carrying IPv4. */
export interface Ipv4ChecksumReport {
  /** Whether the IPv4 header checksum is right. */
  readonly ipHeaderOk: boolean;
  /** Whether the TCP, UDP or ICMP checksum is right (`true` for a UDP checksum of 0, "none"). */
  readonly transportOk: boolean;
  /** The TCP, UDP or ICMP checksum field as stored. */
  readonly transportChecksum: number;
}

/**
 * Recomputes the IPv4 header checksum and the TCP/UDP checksum (over the pseudo-header) or the
 * ICMP checksum of an untagged Ethernet frame, independently of the program under test.
 */
export function checkIpv4Frame(frame: Uint8Array): Ipv4ChecksumReport {
  const ip = frame.subarray(14);
  const ihl = (ip[0] & 0x0f) * 4;
  const totalLength = (ip[2] << 8) | ip[3];
  const protocol = ip[9];
  const ipHeaderOk = internetChecksum(ip.subarray(0, ihl)) === 0;
  const l4 = ip.subarray(ihl, totalLength);
  if (protocol === 1) {
    // ICMP's checksum covers its own bytes only (no pseudo-header).
    const transportChecksum = (l4[2] << 8) | l4[3];
    return { ipHeaderOk, transportOk: internetChecksum(l4) === 0, transportChecksum };
  }
  const checksumAt = protocol === 6 ? 16 : 6;
  const transportChecksum = (l4[checksumAt] << 8) | l4[checksumAt + 1];
  const pseudo = new Uint8Array(12);
  pseudo.set(ip.subarray(12, 20), 0);
  pseudo[9] = protocol;
  pseudo[10] = l4.length >> 8;
  pseudo[11] = l4.length & 0xff;
  const transportOk =
    (protocol === 17 && transportChecksum === 0) || internetChecksum(pseudo, l4) === 0;
  return { ipHeaderOk, transportOk, transportChecksum };
}
