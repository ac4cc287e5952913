import { readFileSync } from 'node:fs';
import { isEbpfError } from '@ebpf/isa';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CaptureError,
  iterateCapture,
  readCapture,
  writePcap,
  writePcapng,
} from '../src/pcap/index.js';

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../../tools/fixtures/pcap/${name}`, import.meta.url)));

const frames = [
  Uint8Array.of(1, 2, 3),
  new Uint8Array(61).fill(7),
  new Uint8Array(0),
  new Uint8Array(17).fill(9),
];
const packets = frames.map((data, i) => ({
  data,
  originalLength: data.length + i,
  timestampNs: BigInt(i) * 1_000_001_000n,
}));

/** Well-formed captures of every kind the reader knows, to be broken. */
const SEEDS: readonly [string, Uint8Array][] = [
  ['small.pcap', fixture('small.pcap')],
  ['small.pcapng', fixture('small.pcapng')],
  ['truncated.pcap', fixture('truncated.pcap')],
  ['truncated.pcapng', fixture('truncated.pcapng')],
  ['pcap big-endian ns', writePcap(packets, { bigEndian: true, nanos: true })],
  [
    'pcapng big-endian, two interfaces',
    writePcapng(
      packets.map((p, i) => ({ ...p, interface: i % 2 })),
      {
        bigEndian: true,
        interfaces: [
          { timestampResolution: 9 },
          { timestampResolution: 0x80 | 20, snapLength: 64 },
        ],
      },
    ),
  ],
  ['pcapng Packet Blocks', writePcapng(packets, { packetBlock: 'packet' })],
];

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'cut'; at: number }
  | { kind: 'word'; at: number; value: number; little: boolean }
  | { kind: 'splice'; at: number; drop: number; insert: Uint8Array }
  | { kind: 'nudge'; at: number; delta: number; little: boolean };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat({ max: 7 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('word' as const),
    at: fc.nat(),
    // Length fields get interesting values: tiny, off by a little, huge, misaligned.
    value: fc.oneof(
      fc.constantFrom(
        0,
        1,
        4,
        8,
        11,
        12,
        15,
        16,
        28,
        31,
        32,
        0x7fff_ffff,
        0xffff_fffc,
        0xffff_ffff,
      ),
      fc.nat({ max: 0xffff_ffff }),
    ),
    little: fc.boolean(),
  }),
  // A length off by a few bytes: the likeliest way to slip past one check and trip another.
  fc.record({
    kind: fc.constant('nudge' as const),
    at: fc.nat(),
    delta: fc.integer({ min: -9, max: 9 }),
    little: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('splice' as const),
    at: fc.nat(),
    drop: fc.nat({ max: 16 }),
    insert: fc.uint8Array({ maxLength: 16 }),
  }),
);

function mutate(seed: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let bytes = seed.slice();
  for (const m of mutations) {
    if (bytes.length === 0) break;
    const at = m.at % bytes.length;
    if (m.kind === 'flip') bytes[at]! ^= 1 << m.bit;
    else if (m.kind === 'cut') bytes = bytes.slice(0, at);
    else if (m.kind === 'word') {
      // Word writes land on 4-byte boundaries, where every length field of both formats lives.
      const aligned = at - (at % 4);
      if (aligned + 4 <= bytes.length)
        new DataView(bytes.buffer).setUint32(aligned, m.value, m.little);
    } else if (m.kind === 'nudge') {
      const aligned = at - (at % 4);
      if (aligned + 4 <= bytes.length) {
        const view = new DataView(bytes.buffer);
        view.setUint32(aligned, (view.getUint32(aligned, m.little) + m.delta) >>> 0, m.little);
      }
    } else {
      bytes = new Uint8Array([
        ...bytes.subarray(0, at),
        ...m.insert,
        ...bytes.subarray(at + m.drop),
      ]);
    }
  }
  return bytes;
}

/** Reads `bytes`; asserts the outcome is packets inside the input or one CaptureError. */
function checkOutcome(bytes: Uint8Array): void {
  let capture: ReturnType<typeof readCapture> | undefined;
  try {
    capture = readCapture(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(CaptureError);
    if (!isEbpfError(e)) return;
    expect(e.kind).toBe('load');
    expect(e.code).toBeGreaterThanOrEqual(11200);
    expect(e.code).toBeLessThanOrEqual(11299);
    const offset = (e.context as { offset: number }).offset;
    expect(offset).toBeGreaterThanOrEqual(0);
    expect(offset).toBeLessThanOrEqual(bytes.length);
    expect(e.message).toMatch(/byte \d+/);
    return;
  }
  // Every packet header takes at least 12 bytes, so the work is bounded by the input's size.
  expect(capture.packets.length).toBeLessThanOrEqual(bytes.length / 12);
  capture.packets.forEach((packet, i) => {
    expect(packet.index).toBe(i);
    expect(packet.data.buffer).toBe(bytes.buffer);
    expect(packet.data.byteOffset + packet.data.length).toBeLessThanOrEqual(
      bytes.byteOffset + bytes.length,
    );
    expect(capture.interfaces[packet.interface]).toBeDefined();
  });
  // Each packet, checked against its own header, read here independently of the reader.
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const packet of capture.packets) {
    const little = !capture.interfaces[packet.interface]!.bigEndian;
    const at = packet.data.byteOffset - bytes.byteOffset;
    const end = at + packet.data.length;
    if (capture.format === 'pcap') {
      expect(view.getUint32(at - 8, little)).toBe(packet.data.length); // the record's incl_len
      continue;
    }
    const type28 = at >= 28 ? view.getUint32(at - 28, little) : -1;
    if (type28 === 6 || type28 === 2) {
      // Enhanced or obsolete Packet Block: captured length field, and the data inside the block.
      expect(view.getUint32(at - 8, little)).toBe(packet.data.length);
      expect(end).toBeLessThanOrEqual(at - 28 + view.getUint32(at - 24, little) - 4);
    } else {
      expect(view.getUint32(at - 12, little)).toBe(3); // Simple Packet Block
      expect(end).toBeLessThanOrEqual(at - 12 + view.getUint32(at - 8, little) - 4);
    }
  }
  // The lazy form sees the same packets.
  expect([...iterateCapture(bytes)].map((p) => p.data.byteOffset)).toEqual(
    capture.packets.map((p) => p.data.byteOffset),
  );
}

describe('mutated captures give packets or a CaptureError, never a crash or a hang', () => {
  for (const [name, seed] of SEEDS) {
    it(`survives bit flips, cuts, length overwrites and splices of ${name}`, () => {
      expect(readCapture(seed).packets.length).toBeGreaterThan(0);
      fc.assert(
        fc.property(fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (mutations) => {
          checkOutcome(mutate(seed, mutations));
        }),
        { numRuns: 250 },
      );
    });
  }

  it('survives random bytes behind each magic number', () => {
    const magics = [
      [0xd4, 0xc3, 0xb2, 0xa1],
      [0xa1, 0xb2, 0xc3, 0xd4],
      [0x4d, 0x3c, 0xb2, 0xa1],
      [0x0a, 0x0d, 0x0d, 0x0a],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...magics), fc.uint8Array({ maxLength: 200 }), (magic, rest) => {
        checkOutcome(new Uint8Array([...magic, ...rest]));
      }),
      { numRuns: 400 },
    );
  });
});
