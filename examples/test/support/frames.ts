/**
 * Test packets: Ethernet frames carrying ARP, IPv4 (with options, fragments, wrong checksums on
 * demand), IPv6, TCP, UDP and ICMP, with every checksum computed here.
 */
import { concatBytes, internetChecksum } from './checksum.js';

export const EtherType = { IPV4: 0x0800, ARP: 0x0806, VLAN: 0x8100, IPV6: 0x86dd } as const;
export const IpProto = { ICMP: 1, TCP: 6, UDP: 17 } as const;
export const TcpFlags = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;

/** Dotted IPv4 text as 4 bytes. */
export function ipv4Bytes(text: string): Uint8Array {
  const parts = text.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`bad IPv4 address ${text}`);
  }
  return Uint8Array.from(parts);
}

const be16 = (v: number): Uint8Array => Uint8Array.of((v >> 8) & 0xff, v & 0xff);
const be32 = (v: number): Uint8Array =>
  Uint8Array.of((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);

export interface TransportSpec {
  readonly protocol: 'tcp' | 'udp' | 'icmp';
  readonly sport?: number;
  readonly dport?: number;
  /** TCP flags (default ACK). */
  readonly flags?: number;
  /** ICMP type (default 8, echo request). */
  readonly icmpType?: number;
  readonly payload?: Uint8Array;
  /** UDP only: send a checksum of 0 ("none"). */
  readonly noChecksum?: boolean;
}

export interface Ipv4Spec {
  readonly src?: string;
  readonly dst?: string;
  readonly ttl?: number;
  /** IPv4 options (a multiple of 4 bytes). */
  readonly options?: Uint8Array;
  /** Fragment offset in 8-byte units. */
  readonly fragmentOffset?: number;
  /** Spoil the header checksum. */
  readonly badChecksum?: boolean;
}

export interface FrameSpec {
  readonly ip?: Ipv4Spec;
  readonly l4: TransportSpec;
  /** Wrap the payload in an 802.1Q tag with this VLAN id. */
  readonly vlan?: number;
  /** Carry the transport over IPv6 instead of IPv4. */
  readonly ipv6?: boolean;
}

const MAC_DST = Uint8Array.of(0x02, 0, 0, 0, 0, 0x01);
const MAC_SRC = Uint8Array.of(0x02, 0, 0, 0, 0, 0x02);

/** An Ethernet header (with an optional 802.1Q tag) in front of `payload`. */
export function ethernet(etherType: number, payload: Uint8Array, vlan?: number): Uint8Array {
  const tag = vlan === undefined ? [] : [be16(EtherType.VLAN), be16(vlan & 0x0fff)];
  return concatBytes(MAC_DST, MAC_SRC, ...tag, be16(etherType), payload);
}

function transportBytes(l4: TransportSpec, pseudo: (length: number, proto: number) => Uint8Array) {
  const payload = l4.payload ?? new Uint8Array(0);
  if (l4.protocol === 'icmp') {
    const header = concatBytes(Uint8Array.of(l4.icmpType ?? 8, 0, 0, 0), be16(0x1234), be16(1));
    const icmp = concatBytes(header, payload);
    icmp.set(be16(internetChecksum(icmp)), 2);
    return { proto: IpProto.ICMP, bytes: icmp };
  }
  const ports = concatBytes(be16(l4.sport ?? 40000), be16(l4.dport ?? 80));
  if (l4.protocol === 'tcp') {
    const header = concatBytes(
      ports,
      be32(0x01020304), // sequence number
      be32(0), // acknowledgement number
      Uint8Array.of(5 << 4, l4.flags ?? TcpFlags.ACK),
      be16(64240), // window
      be16(0), // checksum, filled below
      be16(0), // urgent pointer
    );
    const tcp = concatBytes(header, payload);
    tcp.set(be16(internetChecksum(pseudo(tcp.length, IpProto.TCP), tcp)), 16);
    return { proto: IpProto.TCP, bytes: tcp };
  }
  const udp = concatBytes(ports, be16(8 + payload.length), be16(0), payload);
  if (!l4.noChecksum) {
    const sum = internetChecksum(pseudo(udp.length, IpProto.UDP), udp);
    udp.set(be16(sum === 0 ? 0xffff : sum), 6);
  }
  return { proto: IpProto.UDP, bytes: udp };
}

/** An Ethernet frame carrying the transport over IPv4 (default) or IPv6, checksums right. */
export function buildFrame(spec: FrameSpec): Uint8Array {
  if (spec.ipv6) {
    const src = new Uint8Array(16).fill(0x20);
    const dst = new Uint8Array(16).fill(0x30);
    const pseudo = (length: number, proto: number) =>
      concatBytes(src, dst, be32(length), Uint8Array.of(0, 0, 0, proto));
    const { proto, bytes } = transportBytes(spec.l4, pseudo);
    const header = concatBytes(
      Uint8Array.of(0x60, 0, 0, 0),
      be16(bytes.length),
      Uint8Array.of(proto, 64),
      src,
      dst,
    );
    return ethernet(EtherType.IPV6, concatBytes(header, bytes), spec.vlan);
  }
  const ip = spec.ip ?? {};
  const src = ipv4Bytes(ip.src ?? '10.0.0.2');
  const dst = ipv4Bytes(ip.dst ?? '10.0.0.1');
  const pseudo = (length: number, proto: number) =>
    concatBytes(src, dst, Uint8Array.of(0, proto), be16(length));
  const { proto, bytes } = transportBytes(spec.l4, pseudo);
  const options = ip.options ?? new Uint8Array(0);
  const headerLength = 20 + options.length;
  const header = concatBytes(
    Uint8Array.of(0x40 | (headerLength / 4), 0),
    be16(headerLength + bytes.length),
    be16(0x4242), // identification
    be16(ip.fragmentOffset ?? 0),
    Uint8Array.of(ip.ttl ?? 64, proto),
    be16(0),
    src,
    dst,
    options,
  );
  const sum = internetChecksum(header);
  header.set(be16(ip.badChecksum ? sum ^ 0x0101 : sum), 10);
  return ethernet(EtherType.IPV4, concatBytes(header, bytes), spec.vlan);
}

/** A broadcast ARP request frame (who has 10.0.0.1?). */
export function arpRequest(): Uint8Array {
  const arp = concatBytes(
    be16(1), // Ethernet
    be16(EtherType.IPV4),
    Uint8Array.of(6, 4),
    be16(1), // request
    MAC_SRC,
    ipv4Bytes('10.0.0.2'),
    new Uint8Array(6),
    ipv4Bytes('10.0.0.1'),
  );
  return ethernet(EtherType.ARP, arp);
}
