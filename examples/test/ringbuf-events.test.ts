/**
 * ringbuf-events: the program reports TCP connection attempts (SYN, written in place with
 * bpf_ringbuf_reserve/submit) and ends (FIN or RST, copied with bpf_ringbuf_output) to a ring
 * buffer; the host consumes the events. A full ring loses events and the program counts them.
 */
import { createTypedMap, RingBufferMap, u32, u64 } from '@ebpf/maps';
import { XdpAction } from '@ebpf/vm';
import { describe, expect, test } from 'vitest';
import {
  ENGINES,
  hex,
  instantiateExample,
  perEngine,
  snapshotMaps,
} from './support/both-engines.js';
import { buildFrame, type FrameSpec, TcpFlags } from './support/frames.js';

const EVENT_CONNECT = 1;
const EVENT_CLOSE = 2;
const EVENT_SIZE = 24;
const RING_SIZE = 4096;
/** A record takes its 8-byte header plus the event, rounded up to 8 bytes. */
const RECORD_SIZE = 8 + Math.ceil(EVENT_SIZE / 8) * 8;
/**
 * Records a ring holds before a reserve fails: the kernel refuses a reserve that would put the
 * producer more than `size - 1` bytes ahead of the consumer.
 */
const RING_CAPACITY = Math.floor((RING_SIZE - 1) / RECORD_SIZE);

interface ConnEvent {
  seq: number;
  kind: number;
  flags: number;
  pktLen: number;
  saddr: string;
  daddr: string;
  sport: number;
  dport: number;
  ifindex: number;
}

/** Decodes `struct conn_event` (addresses and ports are in network byte order). */
function decodeEvent(data: Uint8Array): ConnEvent {
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return {
    seq: v.getUint32(0, true),
    kind: v.getUint8(4),
    flags: v.getUint8(5),
    pktLen: v.getUint16(6, true),
    saddr: [...data.subarray(8, 12)].join('.'),
    daddr: [...data.subarray(12, 16)].join('.'),
    sport: v.getUint16(16, false),
    dport: v.getUint16(18, false),
    ifindex: v.getUint32(20, true),
  };
}

interface Sent {
  readonly spec: FrameSpec;
  readonly ifindex: number;
}

/** The event the C source promises for a packet, or undefined (seq filled in by the caller). */
function eventFor({ spec, ifindex }: Sent): Omit<ConnEvent, 'seq'> | undefined {
  if (spec.ipv6 || spec.vlan !== undefined || spec.l4.protocol !== 'tcp' || spec.ip?.options) {
    return undefined;
  }
  const flags = spec.l4.flags ?? TcpFlags.ACK;
  let kind: number;
  if ((flags & (TcpFlags.SYN | TcpFlags.ACK)) === TcpFlags.SYN) kind = EVENT_CONNECT;
  else if (flags & (TcpFlags.FIN | TcpFlags.RST)) kind = EVENT_CLOSE;
  else return undefined;
  return {
    kind,
    flags,
    pktLen: buildFrame(spec).length,
    saddr: spec.ip?.src ?? '10.0.0.2',
    daddr: spec.ip?.dst ?? '10.0.0.1',
    sport: spec.l4.sport ?? 40000,
    dport: spec.l4.dport ?? 80,
    ifindex,
  };
}

const tcp = (flags: number, extra: Partial<FrameSpec['l4']> = {}): FrameSpec => ({
  ip: { src: '198.51.100.7', dst: '203.0.113.1' },
  l4: { protocol: 'tcp', sport: 51000, dport: 443, flags, ...extra },
});

/** First round: a short connection's packets, plus some that must not make events. */
const ROUND_ONE: readonly Sent[] = [
  { spec: tcp(TcpFlags.SYN), ifindex: 3 },
  { spec: tcp(TcpFlags.SYN | TcpFlags.ACK), ifindex: 3 },
  { spec: tcp(TcpFlags.ACK | TcpFlags.PSH, { payload: new Uint8Array(100) }), ifindex: 3 },
  { spec: tcp(TcpFlags.FIN | TcpFlags.ACK), ifindex: 4 },
  { spec: { l4: { protocol: 'udp', dport: 443 } }, ifindex: 3 },
  { spec: { ...tcp(TcpFlags.SYN), ip: { options: Uint8Array.of(1, 1, 1, 0) } }, ifindex: 3 },
  { spec: { ...tcp(TcpFlags.SYN), ipv6: true }, ifindex: 3 },
  { spec: tcp(TcpFlags.RST, { sport: 51001 }), ifindex: 9 },
];
/** Second round, never consumed while it runs: more SYNs than the ring holds, then an RST. */
const FLOOD = RING_CAPACITY + 3;
const ROUND_TWO: readonly Sent[] = [
  ...Array.from({ length: FLOOD }, (_, i) => ({
    spec: tcp(TcpFlags.SYN, { sport: 20000 + i }),
    ifindex: 1,
  })),
  { spec: tcp(TcpFlags.RST), ifindex: 1 },
];

const report = perEngine((engine) => {
  const instance = instantiateExample('ringbufEvents', engine);
  const program = instance.program('report_connections');
  const ring = instance.map('events');
  if (!(ring instanceof RingBufferMap)) throw new Error('events is not a ring buffer');
  const counters = createTypedMap(instance.map('counters'), { key: u32, value: u64 });
  const send = (s: Sent) => {
    const mem = buildFrame(s.spec);
    const result = program.run({ mem: mem.slice(), ctx: { ingress_ifindex: s.ifindex } });
    return {
      r0: result.r0,
      insnCount: result.insnCount,
      same: hex(result.packet ?? new Uint8Array(0)) === hex(mem),
    };
  };

  const roundOne = ROUND_ONE.map(send);
  const eventsOne = ring.drain().map(decodeEvent);
  const countersOne = counters.values();
  const roundTwo = ROUND_TWO.map(send);
  const countersTwo = counters.values();
  const mapsTwo = snapshotMaps(instance);
  const eventsTwo = ring.drain().map(decodeEvent);
  // Once the consumer has caught up, events flow again.
  const after = send({ spec: tcp(TcpFlags.SYN, { sport: 7 }), ifindex: 2 });
  const eventsAfter = ring.drain().map(decodeEvent);
  return {
    verdicts: [...roundOne, ...roundTwo, after].map((r) => r.r0),
    insnCounts: [...roundOne, ...roundTwo, after].map((r) => r.insnCount),
    unchanged: [...roundOne, ...roundTwo, after].every((r) => r.same),
    eventsOne,
    countersOne,
    countersTwo,
    mapsTwo,
    eventsTwo,
    eventsAfter,
    countersAfter: counters.values(),
  };
});

/** The events a round should produce, numbered from `firstSeq` over every reporting packet. */
function expectedEvents(sent: readonly Sent[], firstSeq: number): ConnEvent[] {
  let seq = firstSeq;
  return sent.flatMap((s) => {
    const e = eventFor(s);
    return e ? [{ seq: seq++, ...e }] : [];
  });
}

describe.each(ENGINES)('ringbuf-events on %s', (engine) => {
  test('passes every packet unchanged', () => {
    const r = report(engine);
    expect(r.verdicts).toEqual([...ROUND_ONE, ...ROUND_TWO, 0].map(() => BigInt(XdpAction.PASS)));
    expect(r.unchanged).toBe(true);
  });

  test('the host consumes one event per SYN, FIN and RST, in order, with their fields', () => {
    const r = report(engine);
    expect(r.eventsOne).toEqual(expectedEvents(ROUND_ONE, 0));
    expect(r.eventsOne.map((e) => e.kind)).toEqual([EVENT_CONNECT, EVENT_CLOSE, EVENT_CLOSE]);
    expect(r.countersOne).toEqual([3n, 0n]);
  });

  test('a full ring keeps the events it had room for and counts the lost ones', () => {
    const r = report(engine);
    const reporting = ROUND_TWO.filter((s) => eventFor(s)).length;
    const kept = expectedEvents(ROUND_TWO, 3).slice(0, RING_CAPACITY);
    expect(r.eventsTwo).toEqual(kept);
    // Sequence numbers are taken before the reserve, so lost events leave gaps at the end.
    expect(r.countersTwo).toEqual([BigInt(3 + reporting), BigInt(reporting - RING_CAPACITY)]);
  });

  test('after the consumer caught up, the next event goes through', () => {
    const r = report(engine);
    const seq = 3 + ROUND_TWO.filter((s) => eventFor(s)).length;
    expect(r.eventsAfter).toEqual([
      { ...eventFor({ spec: tcp(TcpFlags.SYN, { sport: 7 }), ifindex: 2 }), seq },
    ]);
    expect(r.countersAfter[0]).toBe(BigInt(seq + 1));
  });
});

test('ringbuf-events: both engines produce the same events and counters', () => {
  expect(report('jit')).toEqual(report('interp'));
});
