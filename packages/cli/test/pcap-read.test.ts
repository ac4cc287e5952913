import { isEbpfError } from '@ebpf/isa';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CapturedPacket,
  convertTimestamp,
  convertToUnits,
  detectCaptureFormat,
  iterateCapture,
  type PacketToWrite,
  PcapngBlock,
  readCapture,
  writePcap,
  writePcapng,
} from '../src/pcap/index.js';

const NS = 1_000_000_000n;

/** Packets as plain values for comparison (data copied out of the views). */
const plain = (packets: readonly CapturedPacket[]) =>
  packets.map((p) => ({
    index: p.index,
    timestampNs: p.timestampNs,
    data: [...p.data],
    originalLength: p.originalLength,
    interface: p.interface,
  }));

const expected = (packets: readonly PacketToWrite[], interfaceBase = 0, indexBase = 0) =>
  packets.map((p, i) => ({
    index: indexBase + i,
    timestampNs: p.timestampNs ?? 0n,
    data: [...p.data],
    originalLength: p.originalLength ?? p.data.length,
    interface: interfaceBase + (p.interface ?? 0),
  }));

/** Packets whose timestamps are whole multiples of `unitNs` and below 2^32 seconds. */
const packetsArb = (unitNs: bigint, maxPackets = 12) =>
  fc
    .array(
      fc.record({
        data: fc.uint8Array({ maxLength: 80 }),
        extra: fc.nat({ max: 1500 }),
        units: fc.bigInt({ min: 0n, max: ((1n << 32n) * NS - 1n) / unitNs }),
      }),
      { maxLength: maxPackets },
    )
    .map((list) =>
      list.map((p) => ({
        data: p.data,
        originalLength: p.data.length + p.extra,
        timestampNs: p.units * unitNs,
      })),
    );

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A raw pcapng block, for blocks the writer does not produce. */
function block(type: number, body: number[] | Uint8Array, little = true): Uint8Array {
  const padded = (body.length + 3) & ~3;
  const out = new Uint8Array(12 + padded);
  const view = new DataView(out.buffer);
  view.setUint32(0, type, little);
  view.setUint32(4, out.length, little);
  out.set(body, 8);
  view.setUint32(out.length - 4, out.length, little);
  return out;
}

describe('classic pcap round trips', () => {
  for (const bigEndian of [false, true]) {
    it(`keeps every packet with microsecond timestamps (${bigEndian ? 'big' : 'little'}-endian)`, () => {
      fc.assert(
        fc.property(packetsArb(1000n), (packets) => {
          const capture = readCapture(writePcap(packets, { bigEndian }));
          expect(capture.format).toBe('pcap');
          expect(capture.interfaces).toHaveLength(1);
          expect(capture.interfaces[0]!.bigEndian).toBe(bigEndian);
          expect(capture.interfaces[0]!.timestampResolution).toBe(6);
          expect(plain(capture.packets)).toEqual(expected(packets));
        }),
        { numRuns: 60 },
      );
    });
    it(`keeps every packet with nanosecond timestamps (${bigEndian ? 'big' : 'little'}-endian)`, () => {
      fc.assert(
        fc.property(packetsArb(1n), (packets) => {
          const capture = readCapture(writePcap(packets, { bigEndian, nanos: true }));
          expect(capture.interfaces[0]!.timestampResolution).toBe(9);
          expect(plain(capture.packets)).toEqual(expected(packets));
        }),
        { numRuns: 60 },
      );
    });
  }

  it('cuts sub-microsecond digits when writing microseconds', () => {
    const bytes = writePcap([{ timestampNs: 5n * NS + 123_456_789n, data: new Uint8Array(4) }]);
    expect(readCapture(bytes).packets[0]!.timestampNs).toBe(5n * NS + 123_456_000n);
  });

  it('writes the documented header fields and magic numbers', () => {
    const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset);
    expect(view(writePcap([])).getUint32(0, true)).toBe(0xa1b2c3d4);
    expect(view(writePcap([], { nanos: true })).getUint32(0, true)).toBe(0xa1b23c4d);
    expect(view(writePcap([], { bigEndian: true })).getUint32(0, false)).toBe(0xa1b2c3d4);
    const header = view(writePcap([], { snapLength: 1234, linkType: 1 }));
    expect([header.getUint16(4, true), header.getUint16(6, true)]).toEqual([2, 4]);
    expect(header.getUint32(16, true)).toBe(1234);
    expect(header.getUint32(20, true)).toBe(1);
  });
});

describe('pcapng round trips', () => {
  for (const bigEndian of [false, true]) {
    const order = bigEndian ? 'big' : 'little';
    it(`keeps Enhanced Packet Blocks over several interfaces and resolutions (${order}-endian)`, () => {
      fc.assert(
        fc.property(packetsArb(1n), fc.array(fc.nat({ max: 2 })), (packets, ifaces) => {
          const withInterfaces = packets.map((p, i) => ({ ...p, interface: ifaces[i] ?? 0 }));
          const bytes = writePcapng(withInterfaces, {
            bigEndian,
            // ns, 2^-30 s and 2^-32 s: all at least as fine as ns, so timestamps stay exact
            interfaces: [
              { timestampResolution: 9 },
              { timestampResolution: 0x80 | 30 },
              { timestampResolution: 0x80 | 32 },
            ],
          });
          const capture = readCapture(bytes);
          expect(capture.format).toBe('pcapng');
          expect(capture.interfaces.map((i) => i.timestampResolution)).toEqual([
            9,
            0x80 | 30,
            0x80 | 32,
          ]);
          expect(capture.interfaces.every((i) => i.bigEndian === bigEndian)).toBe(true);
          expect(plain(capture.packets)).toEqual(expected(withInterfaces));
        }),
        { numRuns: 60 },
      );
    });

    it(`keeps obsolete Packet Blocks (${order}-endian, default µs resolution)`, () => {
      fc.assert(
        fc.property(packetsArb(1000n), (packets) => {
          const capture = readCapture(writePcapng(packets, { bigEndian, packetBlock: 'packet' }));
          expect(capture.interfaces[0]!.timestampResolution).toBe(6);
          expect(plain(capture.packets)).toEqual(expected(packets));
        }),
        { numRuns: 40 },
      );
    });

    it(`keeps Simple Packet Blocks, cut to the snapshot length (${order}-endian)`, () => {
      fc.assert(
        fc.property(fc.array(fc.uint8Array({ maxLength: 90 }), { maxLength: 10 }), (frames) => {
          const snapLength = 64;
          const packets = frames.map((f) => ({
            data: f.subarray(0, snapLength),
            originalLength: f.length,
          }));
          const bytes = writePcapng(packets, {
            bigEndian,
            packetBlock: 'simple',
            interfaces: [{ snapLength }],
          });
          const capture = readCapture(bytes);
          expect(plain(capture.packets)).toEqual(expected(packets));
        }),
        { numRuns: 40 },
      );
    });
  }

  it('reads several sections of different byte orders, numbering interfaces across them', () => {
    const a = [{ timestampNs: 1n * NS, data: Uint8Array.of(1, 2, 3) }];
    const b = [
      { timestampNs: 2n * NS, data: Uint8Array.of(4), interface: 1 },
      { timestampNs: 3n * NS, data: Uint8Array.of(5, 6), interface: 0 },
    ];
    const bytes = concat(
      writePcapng(a, { bigEndian: true }),
      writePcapng(b, { interfaces: [{}, { timestampResolution: 9 }] }),
    );
    const capture = readCapture(bytes);
    expect(capture.interfaces.map((i) => [i.index, i.section, i.bigEndian])).toEqual([
      [0, 0, true],
      [1, 1, false],
      [2, 1, false],
    ]);
    expect(plain(capture.packets)).toEqual([...expected(a), ...expected(b, 1, 1)]);
  });

  it('skips unknown, statistics and name-resolution blocks by their length, and reads if_tsoffset', () => {
    const shb = writePcapng([]).subarray(0, 28);
    // IDB: Ethernet, snaplen 0 (no limit); options if_name "eth0", if_tsresol 3 (ms), if_tsoffset 100 s.
    const idb = block(PcapngBlock.INTERFACE_DESCRIPTION, [
      1,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      2,
      0,
      4,
      0,
      ...new TextEncoder().encode('eth0'),
      9,
      0,
      1,
      0,
      3,
      0,
      0,
      0,
      14,
      0,
      8,
      0,
      100,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
    ]);
    const epb = block(PcapngBlock.ENHANCED_PACKET, [
      0,
      0,
      0,
      0, // interface 0
      0,
      0,
      0,
      0,
      7,
      0,
      0,
      0, // timestamp 7 ms
      3,
      0,
      0,
      0,
      5,
      0,
      0,
      0, // captured 3 of 5
      0xaa,
      0xbb,
      0xcc,
      0,
      1,
      0,
      4,
      0,
      0x41,
      0x42,
      0x43,
      0x44,
      0,
      0,
      0,
      0, // opt_comment "ABCD", end of options
    ]);
    const unknown = block(0x0bad_0bad, [9, 9, 9, 9, 9, 9, 9, 9]);
    const statistics = block(5, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const names = block(4, [0, 0, 0, 0]);
    const capture = readCapture(concat(shb, unknown, idb, names, epb, statistics, epb));
    expect(capture.interfaces).toHaveLength(1);
    expect(capture.interfaces[0]!.snapLength).toBe(0);
    expect(capture.interfaces[0]!.timestampOffsetSeconds).toBe(100n);
    expect(plain(capture.packets)).toEqual(
      [0, 1].map((index) => ({
        index,
        timestampNs: 100_007_000_000n, // 100 s offset + 7 ms
        data: [0xaa, 0xbb, 0xcc],
        originalLength: 5,
        interface: 0,
      })),
    );
  });

  it('writes and reads picosecond timestamps while they fit in 64 bits, and refuses later ones', () => {
    const picoseconds = { interfaces: [{ timestampResolution: 12 }] };
    const early = [{ timestampNs: 18_000_000n * NS + 1n, data: Uint8Array.of(1) }];
    expect(readCapture(writePcapng(early, picoseconds)).packets[0]!.timestampNs).toBe(
      early[0]!.timestampNs,
    );
    const late = [{ timestampNs: 19_000_000n * NS, data: Uint8Array.of(1) }];
    expect(() => writePcapng(late, picoseconds)).toThrow(/does not fit in 64 bits/);
  });

  it('reads a Simple Packet Block of an interface without a snapshot limit in full', () => {
    const bytes = writePcapng([{ data: Uint8Array.of(1, 2, 3, 4, 5) }], {
      packetBlock: 'simple',
      interfaces: [{ snapLength: 0 }],
    });
    expect([...readCapture(bytes).packets[0]!.data]).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('packets are views and iteration is lazy', () => {
  it('returns views into the given bytes, not copies', () => {
    const bytes = writePcap([{ data: Uint8Array.of(9, 8, 7) }]);
    const packet = readCapture(bytes).packets[0]!;
    expect(packet.data.buffer).toBe(bytes.buffer);
    bytes[bytes.length - 1] = 0x55;
    expect(packet.data[2]).toBe(0x55);
  });

  it('reads a capture that sits at an odd offset inside a larger buffer', () => {
    const inner = writePcapng([{ data: Uint8Array.of(1, 2) }], { bigEndian: true });
    const outer = new Uint8Array(inner.length + 3);
    outer.set(inner, 3);
    expect([...readCapture(outer.subarray(3)).packets[0]!.data]).toEqual([1, 2]);
  });

  it('yields packets before a later error, one at a time', () => {
    const bytes = writePcap([{ data: Uint8Array.of(1) }, { data: Uint8Array.of(2, 3) }]);
    const cut = bytes.subarray(0, bytes.length - 1);
    const iterator = iterateCapture(cut);
    expect([...iterator.next().value!.data]).toEqual([1]);
    let error: unknown;
    try {
      iterator.next();
    } catch (e) {
      error = e;
    }
    expect(isEbpfError(error)).toBe(true);
  });

  it('detects the format from the first bytes', () => {
    expect(detectCaptureFormat(writePcap([]))).toBe('pcap');
    expect(detectCaptureFormat(writePcap([], { bigEndian: true, nanos: true }))).toBe('pcap');
    expect(detectCaptureFormat(writePcapng([]))).toBe('pcapng');
    expect(detectCaptureFormat(Uint8Array.of(1, 2, 3, 4))).toBeUndefined();
    expect(detectCaptureFormat(new Uint8Array(0))).toBeUndefined();
  });
});

describe('timestamp units', () => {
  it('converts decimal and binary resolutions as the pcapng specification defines them', () => {
    const at = (units: bigint, timestampResolution: number) =>
      convertTimestamp(units, { timestampResolution, timestampOffsetSeconds: 0n });
    expect(at(1n, 0)).toBe(NS);
    expect(at(1n, 6)).toBe(1000n);
    expect(at(1n, 9)).toBe(1n);
    expect(at(1500n, 12)).toBe(1n);
    expect(at(1024n, 0x80 | 10)).toBe(NS);
    expect(at(1n, 0x80 | 1)).toBe(NS / 2n);
    expect(convertTimestamp(0n, { timestampResolution: 9, timestampOffsetSeconds: -2n })).toBe(
      -2n * NS,
    );
  });

  it('gives back the same nanoseconds from units at least as fine as a nanosecond', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 1n << 62n }),
        fc.constantFrom(9, 10, 12, 0x80 | 30, 0x80 | 31, 0x80 | 40),
        (ns, timestampResolution) => {
          const units = convertToUnits(ns, timestampResolution);
          expect(convertTimestamp(units, { timestampResolution, timestampOffsetSeconds: 0n })).toBe(
            ns,
          );
        },
      ),
    );
  });

  it('rounds toward zero for coarser units', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 1n << 62n }),
        fc.constantFrom(0, 3, 6, 0x80 | 10),
        (ns, r) => {
          const back = convertTimestamp(convertToUnits(ns, r), {
            timestampResolution: r,
            timestampOffsetSeconds: 0n,
          });
          expect(back <= ns).toBe(true);
          expect(ns - back < NS).toBe(true);
        },
      ),
    );
  });
});
