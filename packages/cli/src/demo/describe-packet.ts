/**
 * A tiny Ethernet/802.1Q/ARP/IPv4/IPv6/TCP/UDP/ICMP header reader for the demo's packet lines
 * (`TCP 10.0.0.1:40001 -> 10.0.0.2:23 SYN`). It only reads what it shows and never reads past the
 * frame; anything it does not know is shown by its EtherType or protocol number.
 */

/** What the demo shows of a frame. */
export interface PacketSummary {
  /** One line, e.g. `VLAN 100 TCP 10.0.0.1:40007 -> 10.0.0.2:23 SYN`. */
  readonly text: string;
  /** The TCP or UDP destination port, when there is one. */
  readonly destinationPort?: number;
}

const TCP_FLAGS = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG'] as const;

function ipv4(b: Uint8Array, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

function ipv6(b: Uint8Array, at: number): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[at + i]! << 8) | b[at + i + 1]!).toString(16));
  // Compress the longest run of zero groups (RFC 5952), enough for the demo's addresses.
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

function transport(
  b: Uint8Array,
  protocol: number,
  at: number,
  src: string,
  dst: string,
  v6: boolean,
): PacketSummary {
  const u16 = (o: number) => (b[o]! << 8) | b[o + 1]!;
  const host = (a: string, port: number) => (v6 ? `[${a}]:${port}` : `${a}:${port}`);
  if ((protocol === 6 || protocol === 17) && at + 4 <= b.length) {
    const sport = u16(at);
    const dport = u16(at + 2);
    let flags = '';
    if (protocol === 6 && at + 14 <= b.length) {
      flags = ` ${TCP_FLAGS.filter((_, i) => (b[at + 13]! >> i) & 1).join(' ')}`;
    }
    return {
      text: `${protocol === 6 ? 'TCP' : 'UDP'} ${host(src, sport)} -> ${host(dst, dport)}${flags}`,
      destinationPort: dport,
    };
  }
  const name = protocol === 1 ? 'ICMP' : protocol === 58 ? 'ICMPv6' : `proto ${protocol}`;
  return { text: `${name} ${src} -> ${dst}` };
}

/**
 * Describes one Ethernet frame in a line.
 *
 * @example
 * describePacket(frame).text; // 'TCP 10.0.0.1:40001 -> 10.0.0.2:23 SYN'
 */
export function describePacket(b: Uint8Array): PacketSummary {
  if (b.length < 14) return { text: `short frame (${b.length} bytes)` };
  let at = 12;
  let type = (b[at]! << 8) | b[at + 1]!;
  const tags: number[] = [];
  while ((type === 0x8100 || type === 0x88a8) && at + 6 <= b.length) {
    tags.push(((b[at + 2]! << 8) | b[at + 3]!) & 0xfff);
    at += 4;
    type = (b[at]! << 8) | b[at + 1]!;
  }
  at += 2;
  const vlan = tags.length === 0 ? '' : `VLAN ${tags.join('/')} `;
  if (type === 0x0806 && at + 28 <= b.length) {
    const op = (b[at + 6]! << 8) | b[at + 7]!;
    const what =
      op === 1
        ? `who-has ${ipv4(b, at + 24)} tell ${ipv4(b, at + 14)}`
        : `${ipv4(b, at + 14)} is-at ${Array.from(b.subarray(at + 8, at + 14), (x) => x.toString(16).padStart(2, '0')).join(':')}`;
    return { text: `${vlan}ARP ${what}` };
  }
  if (type === 0x0800 && at + 20 <= b.length) {
    const ihl = (b[at]! & 0xf) * 4;
    const s = transport(b, b[at + 9]!, at + ihl, ipv4(b, at + 12), ipv4(b, at + 16), false);
    return { ...s, text: `${vlan}${s.text}` };
  }
  if (type === 0x86dd && at + 40 <= b.length) {
    const s = transport(b, b[at + 6]!, at + 40, ipv6(b, at + 8), ipv6(b, at + 24), true);
    return { ...s, text: `${vlan}${s.text}` };
  }
  return { text: `${vlan}EtherType 0x${type.toString(16).padStart(4, '0')}` };
}
