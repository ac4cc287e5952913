/**
 * Building Ethernet frames for test captures: Ethernet II (with optional 802.1Q VLAN tags)
 * around ARP, IPv4 or IPv6, around TCP, UDP or ICMP, with every length and checksum filled in.
 */
import { CAPTURE_CANNOT_WRITE, CaptureError } from './capture-errors.js';

/** EtherType values the builder writes. */
export const EtherType = Object.freeze({
  IPV4: 0x0800,
  ARP: 0x0806,
  VLAN: 0x8100,
  IPV6: 0x86dd,
} as const);

/** IP protocol numbers the builder writes. */
export const IpProtocol = Object.freeze({ ICMP: 1, TCP: 6, UDP: 17, ICMPV6: 58 } as const);

/** TCP flag bits. */
export const TcpFlag = Object.freeze({
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
} as const);

/** A transport header and its payload. ICMP becomes ICMPv6 inside IPv6. */
export type TransportSpec =
  | {
      readonly kind: 'tcp';
      readonly srcPort: number;
      readonly dstPort: number;
      readonly seq?: number;
      readonly ack?: number;
      /** TcpFlag bits; default SYN. */
      readonly flags?: number;
      readonly window?: number;
      readonly payload?: Uint8Array;
    }
  | {
      readonly kind: 'udp';
      readonly srcPort: number;
      readonly dstPort: number;
      readonly payload?: Uint8Array;
    }
  | {
      readonly kind: 'icmp';
      /** Default: echo request (8 for ICMP, 128 for ICMPv6). */
      readonly type?: number;
      readonly code?: number;
      readonly id?: number;
      readonly sequence?: number;
      readonly payload?: Uint8Array;
    };

/** What the Ethernet frame carries. Addresses are text: `10.0.0.1`, `fe80::1`, `02:00:00:00:00:01`. */
export type NetworkSpec =
  | {
      readonly kind: 'ipv4';
      readonly src: string;
      readonly dst: string;
      readonly ttl?: number;
      readonly id?: number;
      readonly transport: TransportSpec;
    }
  | {
      readonly kind: 'ipv6';
      readonly src: string;
      readonly dst: string;
      readonly hopLimit?: number;
      readonly transport: TransportSpec;
    }
  | {
      readonly kind: 'arp';
      /** 1 request, 2 reply. */
      readonly operation: number;
      readonly senderMac: string;
      readonly senderIp: string;
      readonly targetMac: string;
      readonly targetIp: string;
    };

/** A whole frame. */
export interface FrameSpec {
  /** Default 02:00:00:00:00:01. */
  readonly srcMac?: string;
  /** Default 02:00:00:00:00:02. */
  readonly dstMac?: string;
  /** 802.1Q VLAN ids (0-4095), outermost first. */
  readonly vlans?: readonly number[];
  readonly network: NetworkSpec;
  /** Zero padding up to this many bytes (default 60, Ethernet's minimum without the FCS). */
  readonly minLength?: number;
}

function invalid(reason: string): CaptureError {
  return new CaptureError(CAPTURE_CANNOT_WRITE, { reason });
}

function checkRange(name: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw invalid(`${name} ${value} is not an integer in 0..${max}`);
  }
  return value;
}

/** `02:00:5e:00:00:01` → 6 bytes. */
export function parseMac(text: string): Uint8Array {
  const parts = text.split(':');
  if (parts.length !== 6 || !parts.every((p) => /^[0-9a-fA-F]{2}$/.test(p))) {
    throw invalid(`'${text}' is not a MAC address`);
  }
  return Uint8Array.from(parts, (p) => Number.parseInt(p, 16));
}

/** `192.0.2.1` → 4 bytes. */
export function parseIpv4(text: string): Uint8Array {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) {
    throw invalid(`'${text}' is not an IPv4 address`);
  }
  return Uint8Array.from(parts, Number);
}

/** `2001:db8::1` → 16 bytes (hexadecimal groups with at most one `::`). */
export function parseIpv6(text: string): Uint8Array {
  const halves = text.split('::');
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  if (halves.length > 2) throw invalid(`'${text}' is not an IPv6 address`);
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) {
    throw invalid(`'${text}' is not an IPv6 address`);
  }
  const all = [
    ...head,
    ...Array.from({ length: halves.length === 2 ? missing : 0 }, () => '0'),
    ...tail,
  ];
  if (!all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) {
    throw invalid(`'${text}' is not an IPv6 address`);
  }
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    const value = Number.parseInt(g, 16);
    out[2 * i] = value >> 8;
    out[2 * i + 1] = value & 0xff;
  });
  return out;
}

/**
 * The Internet checksum (RFC 1071) of `parts` taken as one byte string: the one's complement of
 * the one's-complement sum of its 16-bit big-endian words (an odd last byte is padded with 0).
 *
 * @example
 * internetChecksum([ipHeaderWithZeroChecksum]); // the value to store in the header
 */
export function internetChecksum(parts: readonly Uint8Array[]): number {
  let sum = 0;
  let odd: number | undefined;
  for (const part of parts) {
    for (const byte of part) {
      if (odd === undefined) odd = byte;
      else {
        sum += (odd << 8) | byte;
        odd = undefined;
      }
    }
    sum = (sum & 0xffff) + (sum >>> 16);
  }
  if (odd !== undefined) sum += odd << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function u16(value: number): Uint8Array {
  return Uint8Array.of(value >> 8, value & 0xff);
}

function u32(value: number): Uint8Array {
  return Uint8Array.of(value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function setChecksum(
  segment: Uint8Array,
  at: number,
  pseudo: Uint8Array | undefined,
  zeroAs = 0,
): void {
  let sum = internetChecksum(pseudo === undefined ? [segment] : [pseudo, segment]);
  if (sum === 0) sum = zeroAs;
  segment[at] = sum >> 8;
  segment[at + 1] = sum & 0xff;
}

/** The transport segment with its checksum (pseudo-header given by the IP layer). */
function buildTransport(
  spec: TransportSpec,
  ipv6: boolean,
  pseudo: (protocol: number, length: number) => Uint8Array,
): { protocol: number; segment: Uint8Array } {
  const payload = spec.payload ?? new Uint8Array(0);
  if (spec.kind === 'tcp') {
    const segment = concat([
      u16(checkRange('TCP source port', spec.srcPort, 0xffff)),
      u16(checkRange('TCP destination port', spec.dstPort, 0xffff)),
      u32(checkRange('TCP sequence number', spec.seq ?? 0, 0xffff_ffff)),
      u32(checkRange('TCP acknowledgement number', spec.ack ?? 0, 0xffff_ffff)),
      Uint8Array.of(5 << 4, checkRange('TCP flags', spec.flags ?? TcpFlag.SYN, 0xff)),
      u16(checkRange('TCP window', spec.window ?? 65535, 0xffff)),
      u16(0), // checksum
      u16(0), // urgent pointer
      payload,
    ]);
    setChecksum(segment, 16, pseudo(IpProtocol.TCP, segment.length));
    return { protocol: IpProtocol.TCP, segment };
  }
  if (spec.kind === 'udp') {
    const length = 8 + payload.length;
    const segment = concat([
      u16(checkRange('UDP source port', spec.srcPort, 0xffff)),
      u16(checkRange('UDP destination port', spec.dstPort, 0xffff)),
      u16(checkRange('UDP length', length, 0xffff)),
      u16(0),
      payload,
    ]);
    // A computed 0 is sent as 0xffff: 0 means "no checksum" in UDP.
    setChecksum(segment, 6, pseudo(IpProtocol.UDP, segment.length), 0xffff);
    return { protocol: IpProtocol.UDP, segment };
  }
  const protocol = ipv6 ? IpProtocol.ICMPV6 : IpProtocol.ICMP;
  const segment = concat([
    Uint8Array.of(checkRange('ICMP type', spec.type ?? (ipv6 ? 128 : 8), 0xff)),
    Uint8Array.of(checkRange('ICMP code', spec.code ?? 0, 0xff)),
    u16(0),
    u16(checkRange('ICMP identifier', spec.id ?? 0, 0xffff)),
    u16(checkRange('ICMP sequence', spec.sequence ?? 0, 0xffff)),
    payload,
  ]);
  // ICMPv6 covers a pseudo-header; ICMP for IPv4 covers only its own message.
  setChecksum(segment, 2, ipv6 ? pseudo(protocol, segment.length) : undefined);
  return { protocol, segment };
}

function buildNetwork(spec: NetworkSpec): { etherType: number; packet: Uint8Array } {
  if (spec.kind === 'arp') {
    return {
      etherType: EtherType.ARP,
      packet: concat([
        u16(1), // hardware: Ethernet
        u16(EtherType.IPV4),
        Uint8Array.of(6, 4),
        u16(checkRange('ARP operation', spec.operation, 0xffff)),
        parseMac(spec.senderMac),
        parseIpv4(spec.senderIp),
        parseMac(spec.targetMac),
        parseIpv4(spec.targetIp),
      ]),
    };
  }
  if (spec.kind === 'ipv4') {
    const src = parseIpv4(spec.src);
    const dst = parseIpv4(spec.dst);
    const { protocol, segment } = buildTransport(spec.transport, false, (proto, length) =>
      concat([src, dst, Uint8Array.of(0, proto), u16(length)]),
    );
    const header = concat([
      Uint8Array.of(0x45, 0),
      u16(checkRange('IPv4 total length', 20 + segment.length, 0xffff)),
      u16(checkRange('IPv4 identification', spec.id ?? 0, 0xffff)),
      u16(0x4000), // don't fragment
      Uint8Array.of(checkRange('IPv4 TTL', spec.ttl ?? 64, 0xff), protocol),
      u16(0),
      src,
      dst,
    ]);
    setChecksum(header, 10, undefined);
    return { etherType: EtherType.IPV4, packet: concat([header, segment]) };
  }
  const src = parseIpv6(spec.src);
  const dst = parseIpv6(spec.dst);
  const { protocol, segment } = buildTransport(spec.transport, true, (proto, length) =>
    concat([src, dst, u32(length), Uint8Array.of(0, 0, 0, proto)]),
  );
  const header = concat([
    u32(0x6000_0000),
    u16(checkRange('IPv6 payload length', segment.length, 0xffff)),
    Uint8Array.of(protocol, checkRange('IPv6 hop limit', spec.hopLimit ?? 64, 0xff)),
    src,
    dst,
  ]);
  return { etherType: EtherType.IPV6, packet: concat([header, segment]) };
}

/**
 * One Ethernet frame, padded to `minLength` with zeros (the padding is outside the IP packet).
 *
 * @example
 * buildFrame({
 *   network: { kind: 'ipv4', src: '10.0.0.1', dst: '10.0.0.2',
 *              transport: { kind: 'tcp', srcPort: 40000, dstPort: 23 } },
 * }); // 60 bytes: Ethernet, IPv4, TCP SYN to port 23
 * @throws CaptureError (CAPTURE_CANNOT_WRITE) on a malformed address or a field out of range.
 */
export function buildFrame(spec: FrameSpec): Uint8Array {
  const { etherType, packet } = buildNetwork(spec.network);
  const tags = (spec.vlans ?? []).map((vlan) =>
    concat([u16(EtherType.VLAN), u16(checkRange('VLAN id', vlan, 0xfff))]),
  );
  const frame = concat([
    parseMac(spec.dstMac ?? '02:00:00:00:00:02'),
    parseMac(spec.srcMac ?? '02:00:00:00:00:01'),
    ...tags,
    u16(etherType),
    packet,
  ]);
  const minLength = spec.minLength ?? 60;
  if (frame.length >= minLength) return frame;
  const padded = new Uint8Array(minLength);
  padded.set(frame);
  return padded;
}
