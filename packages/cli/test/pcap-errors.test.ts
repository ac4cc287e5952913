import { type EbpfError, isEbpfError } from '@ebpf/isa';
import { describe, expect, it } from 'vitest';
import {
  CAPTURE_BAD_BLOCK_LENGTH,
  CAPTURE_BAD_CAPTURED_LENGTH,
  CAPTURE_BAD_OPTION,
  CAPTURE_CANNOT_WRITE,
  CAPTURE_LENGTH_MISMATCH,
  CAPTURE_TRUNCATED,
  CAPTURE_UNKNOWN_FORMAT,
  CAPTURE_UNKNOWN_INTERFACE,
  CAPTURE_UNSUPPORTED_LINK_TYPE,
  CAPTURE_UNSUPPORTED_VERSION,
  CaptureError,
  PcapngBlock,
  readCapture,
  writePcap,
  writePcapng,
} from '../src/pcap/index.js';

/** The error `fn` throws (failing the test if it throws none or a foreign one). */
function errorOf(fn: () => unknown): EbpfError {
  try {
    fn();
  } catch (e) {
    if (isEbpfError(e)) return e;
    throw e;
  }
  throw new Error('expected an error');
}

const readError = (bytes: Uint8Array) => errorOf(() => readCapture(bytes));

function patch32(bytes: Uint8Array, offset: number, value: number, little = true): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint32(offset, value, little);
  return copy;
}
function patch16(bytes: Uint8Array, offset: number, value: number, little = true): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint16(offset, value, little);
  return copy;
}

const frame = (n: number) => Uint8Array.from({ length: n }, (_, i) => i);
const pcap = writePcap([{ data: frame(10) }, { data: frame(20) }], { snapLength: 100 });
// Layout: header 0-23, record 0 header 24-39 + data 40-49, record 1 header 50-65 + data 66-85.
// The pcapng writer's layout: SHB 0-27, IDB 28-47, first EPB at 48 (caplen at 68, data at 76).
const pcapng = writePcapng([{ data: frame(10) }, { data: frame(20) }], {
  interfaces: [{ snapLength: 100 }],
});

describe('CaptureError', () => {
  it('is a load error from the capture block of the CLI range, with place and reason', () => {
    const e = readError(pcap.subarray(0, 45));
    expect(e).toBeInstanceOf(CaptureError);
    expect(e.kind).toBe('load');
    expect(e.code).toBeGreaterThanOrEqual(11200);
    expect(e.code).toBeLessThanOrEqual(11299);
    expect(e.codeName).toBe('CAPTURE_TRUNCATED');
    expect(e.message).toBe(
      'packet 0, byte 40 (0x28): the packet data needs 10 bytes but only 5 remain',
    );
    expect(e.toJSON()).toMatchObject({
      code: CAPTURE_TRUNCATED,
      context: { offset: 40, packet: 0 },
    });
  });
});

describe('unknown formats', () => {
  it('names an empty or too-short input', () => {
    for (const bytes of [new Uint8Array(0), Uint8Array.of(0xd4, 0xc3)]) {
      const e = readError(bytes);
      expect(e.code).toBe(CAPTURE_UNKNOWN_FORMAT);
      expect(e.context).toMatchObject({ offset: 0, magic: undefined });
    }
  });

  it('names an unknown magic number', () => {
    const e = readError(new TextEncoder().encode('hello world, not a capture'));
    expect(e.code).toBe(CAPTURE_UNKNOWN_FORMAT);
    expect(e.message).toContain('0x68656c6c');
  });
});

describe('classic pcap', () => {
  it('rejects a file header cut short', () => {
    const e = readError(pcap.subarray(0, 20));
    expect(e.code).toBe(CAPTURE_TRUNCATED);
    expect(e.context).toMatchObject({ offset: 0, needed: 24, available: 20 });
  });

  it('rejects a major version other than 2', () => {
    const e = readError(patch16(pcap, 4, 3));
    expect(e.code).toBe(CAPTURE_UNSUPPORTED_VERSION);
    expect(e.context).toMatchObject({ offset: 4, major: 3, format: 'pcap' });
  });

  it('rejects link types it was not asked for, and accepts them when asked', () => {
    const wifi = patch32(pcap, 20, 105);
    const e = readError(wifi);
    expect(e.code).toBe(CAPTURE_UNSUPPORTED_LINK_TYPE);
    expect(e.context).toMatchObject({ offset: 20, linkType: 105, supported: [1] });
    expect(readCapture(wifi, { linkTypes: [105] }).interfaces[0]!.linkType).toBe(105);
  });

  it('rejects a record header cut short, naming the packet', () => {
    const e = readError(pcap.subarray(0, 50 + 7));
    expect(e.code).toBe(CAPTURE_TRUNCATED);
    expect(e.context).toMatchObject({ offset: 50, packet: 1, needed: 16, available: 7 });
  });

  it('rejects a captured length beyond the snapshot length', () => {
    const e = readError(patch32(pcap, 50 + 8, 101));
    expect(e.code).toBe(CAPTURE_BAD_CAPTURED_LENGTH);
    expect(e.context).toMatchObject({ offset: 58, packet: 1, capturedLength: 101, limit: 100 });
  });

  it('rejects a huge captured length without allocating it', () => {
    const unlimited = patch32(pcap, 16, 0); // snapshot length 0: no limit
    const e = readError(patch32(unlimited, 24 + 8, 0xffff_ffff));
    expect(e.code).toBe(CAPTURE_TRUNCATED);
    expect(e.context).toMatchObject({ packet: 0, needed: 0xffff_ffff });
  });

  it('reads big-endian headers with big-endian lengths', () => {
    const big = writePcap([{ data: frame(3) }], { bigEndian: true });
    const e = readError(patch32(big, 24 + 8, 4, false));
    expect(e.code).toBe(CAPTURE_TRUNCATED);
  });
});

describe('pcapng', () => {
  it('rejects a block header cut short', () => {
    const e = readError(pcapng.subarray(0, 48 + 8));
    expect(e.code).toBe(CAPTURE_TRUNCATED);
    expect(e.context).toMatchObject({ offset: 48, block: 2, needed: 12, available: 8 });
  });

  it('rejects an unknown byte-order magic in the Section Header Block', () => {
    const e = readError(patch32(pcapng, 8, 0x12345678));
    expect(e.code).toBe(CAPTURE_UNKNOWN_FORMAT);
    expect(e.context).toMatchObject({ offset: 8, block: 0, magic: 0x12345678 });
  });

  it('rejects a major version other than 1', () => {
    const e = readError(patch16(pcapng, 12, 2));
    expect(e.code).toBe(CAPTURE_UNSUPPORTED_VERSION);
    expect(e.context).toMatchObject({ offset: 12, block: 0, format: 'pcapng', major: 2 });
  });

  it('rejects block lengths below the minimum, misaligned or past the end', () => {
    const cases: [number, string][] = [
      [8, 'minimum'], // below any block's minimum
      [28, 'minimum'], // below an Enhanced Packet Block's 32
      [90, 'multiple of 4'],
      [4096, 'past the end'],
    ];
    for (const [length, reason] of cases) {
      const e = readError(patch32(pcapng, 48 + 4, length));
      expect(e.code).toBe(CAPTURE_BAD_BLOCK_LENGTH);
      expect(e.context).toMatchObject({
        offset: 52,
        block: 2,
        length,
        blockType: PcapngBlock.ENHANCED_PACKET,
      });
      expect(e.message).toContain(reason);
    }
  });

  it('rejects a trailing length that differs from the leading one', () => {
    const e = readError(patch32(pcapng, 28 + 16, 24)); // the IDB's trailing length
    expect(e.code).toBe(CAPTURE_LENGTH_MISMATCH);
    expect(e.context).toMatchObject({ offset: 44, block: 1, length: 20, trailingLength: 24 });
    expect(e.message).toMatch(/^block 1, byte 44 \(0x2c\): /);
  });

  it('rejects a captured length beyond the block or the snapshot length', () => {
    const room = readError(patch32(pcapng, 68, 13)); // the block holds 12 padded bytes
    expect(room.code).toBe(CAPTURE_BAD_CAPTURED_LENGTH);
    expect(room.context).toMatchObject({
      offset: 68,
      block: 2,
      packet: 0,
      capturedLength: 13,
      limit: 12,
    });
    // Write it on the unlimited interface 1, then say it belongs to interface 0 (snaplen 100).
    const unlimited = writePcapng([{ data: frame(200), interface: 1 }], {
      interfaces: [{ snapLength: 100 }, { snapLength: 0 }],
    });
    const idbs = 20 + 20;
    const e = readError(patch32(unlimited, 28 + idbs + 8, 0));
    expect(e.code).toBe(CAPTURE_BAD_CAPTURED_LENGTH);
    expect(e.context).toMatchObject({ capturedLength: 200, limit: 100, packet: 0 });
  });

  it('rejects packets of interfaces the section has not described', () => {
    const e = readError(patch32(pcapng, 56, 3));
    expect(e.code).toBe(CAPTURE_UNKNOWN_INTERFACE);
    expect(e.context).toMatchObject({
      offset: 56,
      block: 2,
      packet: 0,
      interfaceId: 3,
      interfaces: 1,
    });
    // A Simple Packet Block with no interface at all.
    const spb = writePcapng([{ data: frame(4) }], { packetBlock: 'simple' });
    const withoutInterface = new Uint8Array([...spb.subarray(0, 28), ...spb.subarray(48)]);
    expect(readError(withoutInterface).code).toBe(CAPTURE_UNKNOWN_INTERFACE);
  });

  it('rejects an interface of an unsupported link type', () => {
    const e = readError(patch16(pcapng, 28 + 8, 113));
    expect(e.code).toBe(CAPTURE_UNSUPPORTED_LINK_TYPE);
    expect(e.context).toMatchObject({ offset: 36, block: 1, linkType: 113 });
  });

  it('rejects options that run past their block or have the wrong size', () => {
    const ns = writePcapng([], { interfaces: [{ timestampResolution: 9 }] });
    // IDB at 28: options start at 44 with if_tsresol (code 9, length 1).
    const tooLong = readError(patch16(ns, 44 + 2, 40));
    expect(tooLong.code).toBe(CAPTURE_BAD_OPTION);
    expect(tooLong.context).toMatchObject({ offset: 44, block: 1, option: 9 });
    const wrongSize = readError(patch16(ns, 44 + 2, 2));
    expect(wrongSize.code).toBe(CAPTURE_BAD_OPTION);
    expect(wrongSize.message).toContain('if_tsresol needs 1 byte');
  });
});

describe('writers', () => {
  it('refuse lengths, timestamps and interfaces the formats cannot hold', () => {
    const cases: (() => unknown)[] = [
      () => writePcap([{ data: frame(4), originalLength: 3 }]),
      () => writePcap([{ data: frame(10) }], { snapLength: 5 }),
      () => writePcap([{ data: frame(1), timestampNs: -1n }]),
      () => writePcap([{ data: frame(1), timestampNs: 2n ** 32n * 1_000_000_000n }]),
      () => writePcap([], { snapLength: -1 }),
      () => writePcapng([{ data: frame(1), interface: 1 }]),
      () =>
        writePcapng([{ data: frame(1), interface: 1 }], {
          interfaces: [{}, {}],
          packetBlock: 'simple',
        }),
      () => writePcapng([{ data: frame(4), originalLength: 10 }], { packetBlock: 'simple' }),
      () => writePcapng([], { interfaces: [{ linkType: 70000 }] }),
    ];
    for (const write of cases) {
      const e = errorOf(write);
      expect(e.code).toBe(CAPTURE_CANNOT_WRITE);
      expect(e.message).toMatch(/cannot write: /);
    }
  });
});
