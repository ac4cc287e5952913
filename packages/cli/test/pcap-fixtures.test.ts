import { readFileSync, statSync } from 'node:fs';
import { isEbpfError } from '@ebpf/isa';
import { describe, expect, it } from 'vitest';
import {
  BLOCKED_TCP_PORTS,
  FIXTURES,
  LARGE_PACKET_COUNT,
  largePackets,
  smallPackets,
  TRUNCATED_PCAP_SNAP_LENGTH,
  TRUNCATED_PCAPNG_SNAP_LENGTH,
  truncatedPackets,
} from '../../../tools/fixtures/pcap/recipes.ts';
import { buildFrame, CAPTURE_CANNOT_WRITE, parseIpv6, readCapture } from '../src/pcap/index.js';

const DIR = new URL('../../../tools/fixtures/pcap/', import.meta.url);
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(name, DIR)));

/** What an independent little parser sees in a frame. */
interface Parsed {
  vlans: number[];
  etherType: number;
  protocol?: number;
  srcPort?: number;
  dstPort?: number;
  /** Checksums that verify (one's-complement sum of the covered bytes is 0xffff). */
  checksumsOk: boolean;
  checksums: number;
}

/** One's-complement sum of 16-bit big-endian words, folded once at the end (an odd byte is padded). */
function onesSum(...parts: number[][]): number {
  const bytes = parts.flat();
  let total = 0;
  for (let i = 0; i < bytes.length; i += 2) total += bytes[i]! * 256 + (bytes[i + 1] ?? 0);
  while (total > 0xffff) total = Math.floor(total / 0x10000) + (total % 0x10000);
  return total;
}

function parseFrame(frame: Uint8Array): Parsed {
  const b = [...frame];
  const word = (at: number) => b[at]! * 256 + b[at + 1]!;
  let at = 12;
  const vlans: number[] = [];
  while (word(at) === 0x8100 || word(at) === 0x88a8) {
    vlans.push(word(at + 2) & 0xfff);
    at += 4;
  }
  const etherType = word(at);
  at += 2;
  const result: Parsed = { vlans, etherType, checksumsOk: true, checksums: 0 };
  let protocol: number;
  let segment: number[];
  let pseudo: number[];
  if (etherType === 0x0800) {
    const headerLength = (b[at]! & 0x0f) * 4;
    const totalLength = word(at + 2);
    const header = b.slice(at, at + headerLength);
    result.checksums++;
    if (onesSum(header) !== 0xffff) result.checksumsOk = false;
    protocol = b[at + 9]!;
    segment = b.slice(at + headerLength, at + totalLength);
    pseudo = [
      ...b.slice(at + 12, at + 20),
      0,
      protocol,
      segment.length >> 8,
      segment.length & 0xff,
    ];
  } else if (etherType === 0x86dd) {
    const payloadLength = word(at + 4);
    protocol = b[at + 6]!;
    segment = b.slice(at + 40, at + 40 + payloadLength);
    pseudo = [
      ...b.slice(at + 8, at + 40),
      0,
      0,
      segment.length >> 8,
      segment.length & 0xff,
      0,
      0,
      0,
      protocol,
    ];
  } else {
    return result;
  }
  result.protocol = protocol;
  if (protocol === 6 || protocol === 17) {
    result.srcPort = segment[0]! * 256 + segment[1]!;
    result.dstPort = segment[2]! * 256 + segment[3]!;
  }
  // ICMP for IPv4 covers only its message; TCP, UDP and ICMPv6 cover a pseudo-header too.
  const covered = protocol === 1 ? [segment] : [pseudo, segment];
  result.checksums++;
  if (onesSum(...covered) !== 0xffff) result.checksumsOk = false;
  return result;
}

describe('the committed capture fixtures', () => {
  it('are what tools/fixtures/pcap/generate.mjs writes today (re-generating changes nothing)', () => {
    for (const { file, build } of FIXTURES) {
      expect({
        file,
        same: Buffer.compare(Buffer.from(build()), Buffer.from(fixture(file))) === 0,
      }).toEqual({
        file,
        same: true,
      });
    }
  });

  it('small.pcap and small.pcapng hold the 20 recipe packets with their timestamps', () => {
    const recipe = smallPackets();
    expect(recipe).toHaveLength(20);
    for (const name of ['small.pcap', 'small.pcapng']) {
      const capture = readCapture(fixture(name));
      expect(capture.format).toBe(name.endsWith('ng') ? 'pcapng' : 'pcap');
      expect(capture.packets).toHaveLength(20);
      capture.packets.forEach((packet, i) => {
        expect([...packet.data]).toEqual([...recipe[i]!.frame]);
        expect(packet.timestampNs).toBe(recipe[i]!.timestampNs);
        expect(packet.originalLength).toBe(recipe[i]!.frame.length);
      });
    }
    expect(readCapture(fixture('small.pcapng')).interfaces[0]!.timestampResolution).toBe(9);
  });

  it('small.pcap has the packets the listing describes', () => {
    const packets = readCapture(fixture('small.pcap')).packets.map((p) => parseFrame(p.data));
    expect(packets[0]).toMatchObject({ etherType: 0x0806, vlans: [] });
    expect(packets[2]).toMatchObject({ etherType: 0x0800, protocol: 6, dstPort: 80 });
    expect(packets[5]).toMatchObject({
      etherType: 0x0800,
      protocol: 6,
      srcPort: 40001,
      dstPort: 23,
    });
    expect(packets[6]).toMatchObject({ protocol: 6, dstPort: 8080 });
    expect(packets[7]).toMatchObject({ protocol: 17, dstPort: 53 });
    expect(packets[9]).toMatchObject({ protocol: 1 });
    expect(packets[11]).toMatchObject({ etherType: 0x86dd, protocol: 6, dstPort: 443 });
    expect(packets[14]).toMatchObject({ etherType: 0x86dd, protocol: 58 });
    expect(packets[16]).toMatchObject({ vlans: [100], etherType: 0x0800, dstPort: 23 });
    expect(packets[17]).toMatchObject({ vlans: [200, 300], protocol: 17, dstPort: 123 });
    // What an IPv4-only, untagged firewall that blocks TCP ports 23 and 8080 would drop.
    const blocked = packets.filter(
      (p) =>
        p.vlans.length === 0 &&
        p.etherType === 0x0800 &&
        p.protocol === 6 &&
        (BLOCKED_TCP_PORTS as readonly number[]).includes(p.dstPort!),
    );
    expect(blocked).toHaveLength(4);
    const listing = new TextDecoder().decode(fixture('small.txt'));
    expect(
      listing
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('#')),
    ).toHaveLength(20);
  });

  it('large.pcap holds the recipe packets, small frames, in time order, under 2 MB', () => {
    const bytes = fixture('large.pcap');
    expect(statSync(new URL('large.pcap', DIR)).size).toBeLessThan(2 * 1024 * 1024);
    const capture = readCapture(bytes);
    expect(capture.packets).toHaveLength(LARGE_PACKET_COUNT);
    expect(capture.interfaces[0]!.timestampResolution).toBe(9);
    const recipe = largePackets();
    for (const i of [0, 1, 777, 5000, LARGE_PACKET_COUNT - 1]) {
      expect([...capture.packets[i]!.data]).toEqual([...recipe[i]!.frame]);
    }
    for (let i = 1; i < capture.packets.length; i++) {
      if (capture.packets[i]!.timestampNs <= capture.packets[i - 1]!.timestampNs) {
        throw new Error(`timestamps go backwards at packet ${i}`);
      }
    }
    const kinds = new Set(
      capture.packets
        .map((p) => parseFrame(p.data))
        .map((p) => `${p.etherType}/${p.protocol}/${p.vlans.length}`),
    );
    // ARP, IPv4 TCP/UDP/ICMP, IPv6 TCP, and VLAN-tagged IPv4 TCP all occur.
    for (const kind of [
      '2054/undefined/0',
      '2048/6/0',
      '2048/17/0',
      '2048/1/0',
      '34525/6/0',
      '2048/6/1',
    ]) {
      expect(kinds).toContain(kind);
    }
  });

  it('every IPv4 header, TCP, UDP, ICMP and ICMPv6 checksum verifies (checked independently)', () => {
    let checked = 0;
    for (const name of ['small.pcap', 'large.pcap']) {
      for (const packet of readCapture(fixture(name)).packets) {
        const parsed = parseFrame(packet.data);
        if (!parsed.checksumsOk) throw new Error(`${name} packet ${packet.index}: bad checksum`);
        checked += parsed.checksums;
      }
    }
    expect(checked).toBeGreaterThan(LARGE_PACKET_COUNT);
  });

  it('the independent checksum check notices a changed byte in any covered header or payload', () => {
    const frame = smallPackets()[4]!.frame; // IPv4 TCP with an HTTP request
    expect(parseFrame(frame).checksumsOk).toBe(true);
    for (const at of [15, 26, 40, 60, 90]) {
      const changed = frame.slice();
      changed[at]! ^= 0x10;
      expect(parseFrame(changed).checksumsOk).toBe(false);
    }
  });

  it('the truncated captures cut frames to their snapshot length and keep the original length', () => {
    const cases = [
      ['truncated.pcap', TRUNCATED_PCAP_SNAP_LENGTH],
      ['truncated.pcapng', TRUNCATED_PCAPNG_SNAP_LENGTH],
    ] as const;
    for (const [name, snap] of cases) {
      const capture = readCapture(fixture(name));
      expect(capture.interfaces[0]!.snapLength).toBe(snap);
      const recipe = truncatedPackets(snap);
      expect(capture.packets).toHaveLength(recipe.length);
      capture.packets.forEach((packet, i) => {
        expect(packet.data.length).toBe(Math.min(snap, recipe[i]!.frame.length));
        expect(packet.originalLength).toBe(recipe[i]!.frame.length);
        expect([...packet.data]).toEqual([...recipe[i]!.frame.subarray(0, snap)]);
      });
      expect(
        capture.packets.filter((p) => p.originalLength > p.data.length).length,
      ).toBeGreaterThan(3);
    }
    expect(readCapture(fixture('truncated.pcap')).interfaces[0]!.bigEndian).toBe(true);
  });
});

describe('buildFrame', () => {
  it('pads short frames to 60 bytes outside the IP packet', () => {
    const frame = buildFrame({
      network: {
        kind: 'ipv4',
        src: '10.0.0.1',
        dst: '10.0.0.2',
        transport: { kind: 'udp', srcPort: 1, dstPort: 2 },
      },
    });
    expect(frame.length).toBe(60);
    expect(frame[16]! * 256 + frame[17]!).toBe(28); // IPv4 total length: 20 + 8
    expect(parseFrame(frame).checksumsOk).toBe(true);
  });

  it('parses IPv6 text forms', () => {
    expect([...parseIpv6('::')]).toEqual(new Array(16).fill(0));
    expect([...parseIpv6('2001:db8::1')]).toEqual([
      0x20,
      0x01,
      0x0d,
      0xb8,
      ...new Array(11).fill(0),
      1,
    ]);
    expect([...parseIpv6('1:2:3:4:5:6:7:8')].filter((_, i) => i % 2 === 1)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8,
    ]);
  });

  it('refuses malformed addresses and out-of-range fields with CAPTURE_CANNOT_WRITE', () => {
    const bad = [
      () => parseIpv6('1::2::3'),
      () => parseIpv6('1:2:3'),
      () => parseIpv6('12345::'),
      () =>
        buildFrame({
          network: {
            kind: 'ipv4',
            src: '10.0.0.256',
            dst: '10.0.0.1',
            transport: { kind: 'udp', srcPort: 1, dstPort: 2 },
          },
        }),
      () =>
        buildFrame({
          srcMac: '02:00:00:00:00',
          network: {
            kind: 'ipv4',
            src: '10.0.0.1',
            dst: '10.0.0.1',
            transport: { kind: 'udp', srcPort: 1, dstPort: 2 },
          },
        }),
      () =>
        buildFrame({
          network: {
            kind: 'ipv4',
            src: '10.0.0.1',
            dst: '10.0.0.1',
            transport: { kind: 'tcp', srcPort: 70000, dstPort: 2 },
          },
        }),
      () =>
        buildFrame({
          vlans: [4096],
          network: { kind: 'ipv6', src: '::1', dst: '::1', transport: { kind: 'icmp' } },
        }),
    ];
    for (const build of bad) {
      let error: unknown;
      try {
        build();
      } catch (e) {
        error = e;
      }
      expect(isEbpfError(error, CAPTURE_CANNOT_WRITE)).toBe(true);
    }
  });
});
