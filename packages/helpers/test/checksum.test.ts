import { AddressSpace, REGION_INPUT } from '@ebpf/vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CsumFlag,
  csumFold,
  csumPartial,
  csumReplace2,
  csumReplace4,
  csumReplaceByDiff,
  KernelHelper,
  kernelHelpers,
} from '../src/index.js';
import { createBench, neg } from './support/bench.js';
import {
  buildFrame,
  IP,
  IP_CSUM,
  IP_DST,
  IP_SRC,
  L4,
  l4Checksum,
  l4ChecksumOffset,
  l4Verifies,
  rfc1071,
  verifies,
} from './support/packets.js';

const bswap16 = (n: number) => ((n & 0xff) << 8) | (n >>> 8);
const le16 = (b: Uint8Array, at: number) => b[at] | (b[at + 1] << 8);
const le32 = (b: Uint8Array, at: number) =>
  (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;

/** A bench whose input region holds `frame` (the packet helpers fall back to it). */
function packetBench(frame: Uint8Array, options: Parameters<typeof kernelHelpers>[0] = {}) {
  const space = new AddressSpace();
  space.layoutRun(frame.length, 0);
  space.regionBytes(REGION_INPUT).set(frame);
  const bench = createBench(kernelHelpers(options), space);
  const packet = () => space.regionBytes(REGION_INPUT).slice();
  return { ...bench, packet };
}

const udp = () =>
  buildFrame({
    proto: 17,
    src: [192, 168, 1, 10],
    dst: [10, 0, 0, 1],
    sport: 40000,
    dport: 53,
    payload: Uint8Array.from({ length: 23 }, (_, i) => i * 7),
  });

describe('ones-complement arithmetic against RFC 1071', () => {
  it('csumPartial folds to the RFC 1071 checksum (in memory byte order)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
        expect(csumFold(csumPartial(data))).toBe(bswap16(rfc1071(data)));
      }),
    );
  });

  it('incremental updates (RFC 1624) leave a header that verifies', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 20, maxLength: 20 }),
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: 0, max: 0xffff_ffff }),
        (raw, word, value) => {
          const header = raw.slice();
          header[10] = 0;
          header[11] = 0;
          new DataView(header.buffer).setUint16(10, rfc1071(header));
          const at = word < 5 ? word * 2 : 12 + (word - 5) * 2; // skip the checksum field
          const wide = at <= 16 && at !== 8 && at !== 10;
          const sum = le16(header, 10);
          const next = header.slice();
          let updated: number;
          if (wide) {
            new DataView(next.buffer).setUint32(at, value, true);
            updated = csumReplace4(sum, le32(header, at), le32(next, at));
          } else {
            new DataView(next.buffer).setUint16(at, value & 0xffff, true);
            updated = csumReplace2(sum, le16(header, at), le16(next, at));
          }
          next[10] = updated & 0xff;
          next[11] = updated >>> 8;
          expect(verifies(next)).toBe(true);
          const diff = csumPartial(
            Uint8Array.from([...header.subarray(at, at + 2)].map((b) => ~b & 0xff)),
          );
          const viaDiff = csumReplaceByDiff(sum, csumPartial(next.subarray(at, at + 2), diff));
          expect(csumFold(csumPartial(next, 0))).toBe(0);
          if (!wide) expect(viaDiff).toBe(updated);
        },
      ),
    );
  });
});

describe('bpf_l3_csum_replace and bpf_l4_csum_replace on packet bytes', () => {
  it('rewriting the source address keeps IP and UDP checksums valid (size 4, pseudo header)', () => {
    const frame = udp();
    const b = packetBench(frame);
    const from = le32(frame, IP_SRC);
    const to = le32(Uint8Array.from([172, 16, 0, 99]), 0);
    b.space.write(
      b.space.region(REGION_INPUT)!.address + BigInt(IP_SRC),
      Uint8Array.from([172, 16, 0, 99]),
    );
    expect(b.call(KernelHelper.L3_CSUM_REPLACE, 0, IP_CSUM, from, to, 4)).toBe(0n);
    expect(
      b.call(
        KernelHelper.L4_CSUM_REPLACE,
        0,
        l4ChecksumOffset(frame),
        from,
        to,
        CsumFlag.PSEUDO_HDR | 4,
      ),
    ).toBe(0n);
    const out = b.packet();
    expect(verifies(out.subarray(IP, L4))).toBe(true);
    expect(l4Verifies(out)).toBe(true);
    expect(new DataView(out.buffer).getUint16(l4ChecksumOffset(out))).toBe(l4Checksum(out));
    expect(new DataView(out.buffer).getUint16(IP_CSUM)).toBe(
      rfc1071(Uint8Array.from([...out.subarray(IP, IP + 10), 0, 0, ...out.subarray(IP + 12, L4)])),
    );
  });

  it('rewriting a TCP port keeps the checksum valid (size 2)', () => {
    const frame = buildFrame({
      proto: 6,
      src: [1, 2, 3, 4],
      dst: [5, 6, 7, 8],
      sport: 1234,
      dport: 80,
      payload: new Uint8Array([1, 2, 3]),
    });
    const b = packetBench(frame);
    const from = le16(frame, L4 + 2);
    b.space.write(
      b.space.region(REGION_INPUT)!.address + BigInt(L4 + 2),
      Uint8Array.from([0x1f, 0x90]),
    );
    expect(b.call(KernelHelper.L4_CSUM_REPLACE, 0, l4ChecksumOffset(frame), from, 0x901f, 2)).toBe(
      0n,
    );
    expect(l4Verifies(b.packet())).toBe(true);
  });

  it('takes a difference from bpf_csum_diff (size 0)', () => {
    const frame = udp();
    const b = packetBench(frame);
    const oldAddr = b.region(frame.slice(IP_DST, IP_DST + 4));
    const newBytes = Uint8Array.from([8, 8, 4, 4]);
    const newAddr = b.region(newBytes);
    const diff = b.call(KernelHelper.CSUM_DIFF, oldAddr, 4, newAddr, 4, 0);
    expect(diff >> 32n).toBe(0n);
    b.space.write(b.space.region(REGION_INPUT)!.address + BigInt(IP_DST), newBytes);
    expect(b.call(KernelHelper.L3_CSUM_REPLACE, 0, IP_CSUM, 0, diff, 0)).toBe(0n);
    expect(
      b.call(
        KernelHelper.L4_CSUM_REPLACE,
        0,
        l4ChecksumOffset(frame),
        0,
        diff,
        CsumFlag.PSEUDO_HDR,
      ),
    ).toBe(0n);
    const out = b.packet();
    expect(verifies(out.subarray(IP, L4))).toBe(true);
    expect(l4Verifies(out)).toBe(true);
  });

  it('csum_diff of pushed data is the partial sum of that data plus the seed', () => {
    const b = packetBench(new Uint8Array(8));
    const data = Uint8Array.from([0x45, 0, 0, 0x54, 0x12, 0x34, 0x40, 0]);
    const at = b.region(data);
    const r = b.call(KernelHelper.CSUM_DIFF, 0, 0, at, 8, 0x1234);
    expect(csumFold(Number(r))).toBe(bswap16(rfc1071(data, 0x3412)));
    expect(b.call(KernelHelper.CSUM_DIFF, at, 3, at, 4, 0)).toBe(neg(22));
    expect(b.call(KernelHelper.CSUM_DIFF, at, 256, at, 260, 0)).toBe(neg(22));
  });

  it('checks flags, sizes and offsets as the kernel does', () => {
    const frame = udp();
    const b = packetBench(frame);
    const l4 = l4ChecksumOffset(frame);
    expect(b.call(KernelHelper.L3_CSUM_REPLACE, 0, IP_CSUM, 0, 0, 0x10)).toBe(neg(22));
    expect(b.call(KernelHelper.L3_CSUM_REPLACE, 0, IP_CSUM, 0, 0, 3)).toBe(neg(22));
    expect(b.call(KernelHelper.L3_CSUM_REPLACE, 0, IP_CSUM, 1, 0, 0)).toBe(neg(22));
    expect(b.call(KernelHelper.L3_CSUM_REPLACE, 0, IP_CSUM + 1, 0, 0, 4)).toBe(neg(14));
    expect(b.call(KernelHelper.L3_CSUM_REPLACE, 0, 0x10000, 0, 0, 4)).toBe(neg(14));
    expect(b.call(KernelHelper.L3_CSUM_REPLACE, 0, frame.length, 0, 0, 4)).toBe(neg(14));
    expect(b.call(KernelHelper.L4_CSUM_REPLACE, 0, l4, 0, 0, 0x100)).toBe(neg(22));
    expect(b.packet()).toEqual(frame);
  });

  it('BPF_F_MARK_MANGLED_0 leaves a zero (no) UDP checksum alone and never writes 0', () => {
    const frame = udp();
    const l4 = l4ChecksumOffset(frame);
    frame[l4] = 0;
    frame[l4 + 1] = 0;
    const b = packetBench(frame);
    expect(b.call(KernelHelper.L4_CSUM_REPLACE, 0, l4, 1, 2, CsumFlag.MARK_MANGLED_0 | 4)).toBe(0n);
    expect(le16(b.packet(), l4)).toBe(0);
    // With MARK_ENFORCE the update happens anyway.
    expect(
      b.call(
        KernelHelper.L4_CSUM_REPLACE,
        0,
        l4,
        1,
        2,
        CsumFlag.MARK_MANGLED_0 | CsumFlag.MARK_ENFORCE | 4,
      ),
    ).toBe(0n);
    expect(le16(b.packet(), l4)).not.toBe(0);
    // A diff equal to the field value makes the new checksum 0: written as CSUM_MANGLED_0.
    const sum = le16(b.packet(), l4);
    expect(b.call(KernelHelper.L4_CSUM_REPLACE, 0, l4, 0, sum, CsumFlag.MARK_MANGLED_0)).toBe(0n);
    expect(le16(b.packet(), l4)).toBe(0xffff);
    const plain = packetBench(b.packet());
    expect(plain.call(KernelHelper.L4_CSUM_REPLACE, 0, l4, 0, 0xffff, 0)).toBe(0n);
    expect(le16(plain.packet(), l4)).toBe(0);
  });

  it('with CHECKSUM_PARTIAL only pseudo-header changes touch the field', () => {
    const frame = udp();
    const l4 = l4ChecksumOffset(frame);
    const b = packetBench(frame, { checksumOffload: 'partial' });
    const before = le16(frame, l4);
    expect(b.call(KernelHelper.L4_CSUM_REPLACE, 0, l4, 0x1234, 0x4321, 2)).toBe(0n);
    expect(le16(b.packet(), l4)).toBe(before);
    expect(
      b.call(KernelHelper.L4_CSUM_REPLACE, 0, l4, 0x1234, 0x4321, CsumFlag.PSEUDO_HDR | 2),
    ).toBe(0n);
    // The field holds the uninverted pseudo-header sum, so it moves by +to -from.
    const expected = ~csumFold((((before - 0x1234 + 0xffff) % 0xffff) + 0x4321) % 0xffff) & 0xffff;
    expect(le16(b.packet(), l4)).toBe(expected);
  });
});
