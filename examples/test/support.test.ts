import { describe, expect, test } from 'vitest';
import { checkIpv4Frame, internetChecksum } from './support/checksum.js';
import { arpRequest, buildFrame, TcpFlags } from './support/frames.js';

// The tests judge the examples' checksums with these helpers, so the helpers are checked first.
describe('test support', () => {
  test('internetChecksum gives the RFC 1071 worked example', () => {
    // RFC 1071 section 3: the sum of 0001 f203 f4f5 f6f7 is ddf2, so the checksum is 220d.
    expect(internetChecksum(Uint8Array.of(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7))).toBe(
      0x220d,
    );
  });

  test('internetChecksum pads an odd length with a zero byte', () => {
    expect(internetChecksum(Uint8Array.of(0x12, 0x34, 0x56))).toBe(
      internetChecksum(Uint8Array.of(0x12, 0x34, 0x56, 0x00)),
    );
  });

  test('built frames carry right checksums, and a changed byte is noticed', () => {
    for (const l4 of [
      { protocol: 'tcp', flags: TcpFlags.SYN, payload: Uint8Array.of(1, 2, 3) },
      { protocol: 'udp', payload: Uint8Array.of(9, 8, 7, 6, 5) },
    ] as const) {
      const frame = buildFrame({ l4, ip: { options: Uint8Array.of(1, 1, 1, 0) } });
      expect(checkIpv4Frame(frame)).toMatchObject({ ipHeaderOk: true, transportOk: true });
      const spoiled = frame.slice();
      spoiled[14 + 16] ^= 0x40; // a destination address byte: both checksums cover it
      expect(checkIpv4Frame(spoiled)).toMatchObject({ ipHeaderOk: false, transportOk: false });
    }
  });

  test('ICMP checksums are checked without a pseudo-header', () => {
    const frame = buildFrame({ l4: { protocol: 'icmp', payload: Uint8Array.of(5, 6, 7) } });
    expect(checkIpv4Frame(frame)).toMatchObject({ ipHeaderOk: true, transportOk: true });
    frame[frame.length - 1] ^= 1;
    expect(checkIpv4Frame(frame).transportOk).toBe(false);
  });

  test('a bad header checksum is built on request; an ARP frame has its EtherType', () => {
    const frame = buildFrame({ l4: { protocol: 'icmp' }, ip: { badChecksum: true } });
    expect(checkIpv4Frame(frame).ipHeaderOk).toBe(false);
    expect([...arpRequest().subarray(12, 14)]).toEqual([0x08, 0x06]);
  });
});
