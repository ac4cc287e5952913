import { describe, expect, it } from 'vitest';
import { Errno, MapType, type RingBufferMap, Ringbuf, RingbufQuery } from '../src/index.js';
import { make, scratch } from './support/maps.js';

const SIZE = 4096;
const ring = () =>
  make<RingBufferMap>({
    name: 'events',
    type: MapType.RINGBUF,
    keySize: 0,
    valueSize: 0,
    maxEntries: SIZE,
  });
const fill = (n: number, seed: number) =>
  Uint8Array.from({ length: n }, (_, i) => (seed + i) & 0xff);
/** Records as hex strings: cheap to compare, readable in a failure. */
const hex = (records: Uint8Array[]) => records.map((d) => Buffer.from(d).toString('hex'));

/** Reserves, fills and submits one record the way a program would. */
function produce(r: RingBufferMap, data: Uint8Array): bigint {
  const at = r.reserve(data.length);
  if (at !== 0n) {
    r.space.write(at, data);
    expect(r.submit(at)).toBe(0);
  }
  return at;
}

describe('ring buffer map', () => {
  it('lays records out as the kernel: 8-byte header with busy and discard bits, 8-byte padding', () => {
    const r = ring();
    const a = r.reserve(5);
    expect(a).toBe(r.address + 8n);
    const header = () => new DataView(r.space.read(r.address, 8).buffer).getUint32(0, true);
    expect(header()).toBe((5 | Ringbuf.BUSY_BIT) >>> 0);
    const b = r.reserve(3);
    expect(b).toBe(r.address + 16n + 8n); // 8 + 5 rounded up to 16
    expect(r.submit(a)).toBe(0);
    expect(header()).toBe(5);
    expect(r.discard(b)).toBe(0);
    const second = new DataView(r.space.read(r.address + 16n, 8).buffer).getUint32(0, true);
    expect(second).toBe((3 | Ringbuf.DISCARD_BIT) >>> 0);
  });

  it('the consumer sees submitted records in order, skips discarded ones, stops at a busy one', () => {
    const r = ring();
    const a = r.reserve(4);
    const b = r.reserve(4);
    const c = r.reserve(4);
    r.space.write(a, fill(4, 1));
    r.space.write(c, fill(4, 3));
    r.submit(a);
    r.submit(c);
    expect(r.drain()).toEqual([fill(4, 1)]); // b is still reserved
    r.discard(b);
    expect(r.drain()).toEqual([fill(4, 3)]);
    expect(r.available).toBe(0);
  });

  it('a callback returning false stops consumption after that record', () => {
    const r = ring();
    for (let i = 0; i < 3; i++) produce(r, fill(8, i));
    const seen: Uint8Array[] = [];
    const stopAfterOne = (d: Uint8Array) => {
      seen.push(d);
      return false;
    };
    expect(r.consume(stopAfterOne)).toBe(1);
    expect(seen).toEqual([fill(8, 0)]);
    expect(r.drain()).toEqual([fill(8, 1), fill(8, 2)]);
  });

  it('wraps around: a record crossing the end is read back whole', () => {
    const r = ring();
    const mem = scratch(r);
    const sizes = [1000, 1500, 900, 1200, 700, 333, 2047, 64, 1500, 1000];
    let seed = 0;
    let crossed = 0;
    for (const n of sizes) {
      const data = fill(n, seed++);
      const before = r.producerPosition & (SIZE - 1);
      const at = produce(r, data);
      if (at === 0n) {
        r.drain();
        expect(produce(r, data)).not.toBe(0n);
      }
      if (before + 8 + n > SIZE) crossed++;
      expect(hex(r.drain())).toEqual(hex([data]));
      // output from program memory takes the same path
      expect(r.output(mem.put(0, data.subarray(0, 16)), 16, 0)).toBe(0);
      expect(hex(r.drain())).toEqual(hex([data.subarray(0, 16)]));
    }
    expect(crossed).toBeGreaterThan(0);
    expect(r.producerPosition).toBeGreaterThan(2 * SIZE);
  });

  it('refuses to reserve past the consumer: the producer stays under size - 1 bytes ahead', () => {
    const r = ring();
    expect(r.reserve(SIZE - 8)).toBe(0n); // the record would fill the ring exactly
    const first = r.reserve(2040); // 2048 bytes
    expect(first).not.toBe(0n);
    expect(r.reserve(2040)).toBe(0n); // 2048 more would make 4096 > 4095
    expect(r.reserve(2032)).not.toBe(0n); // 2040 more make 4088 <= 4095
    expect(r.reserve(0)).toBe(0n); // 8 more would make 4096 > 4095
    r.drain(); // nothing submitted: nothing consumed, still no room
    expect(r.reserve(0)).toBe(0n);
  });

  it('reserve with flags or too large gives 0; output with bad flags -EINVAL, without room -EAGAIN', () => {
    const r = ring();
    const mem = scratch(r);
    expect(r.reserve(8, 1)).toBe(0n);
    expect(r.reserve(Ringbuf.MAX_RECORD_SIZE + 1)).toBe(0n);
    expect(r.output(mem.address, 8, 4)).toBe(-Errno.EINVAL);
    expect(r.output(mem.address, 8, 3)).toBe(0);
    expect(r.output(mem.address, SIZE, 0)).toBe(-Errno.EAGAIN);
  });

  it('submit of an address that is no pending record gives -EINVAL', () => {
    const r = ring();
    const a = r.reserve(8);
    expect(r.submit(a + 8n)).toBe(-Errno.EINVAL);
    expect(r.submit(a)).toBe(0);
    expect(r.submit(a)).toBe(-Errno.EINVAL);
    expect(r.discard(0n)).toBe(-Errno.EINVAL);
  });

  it('query reports available data, size and positions', () => {
    const r = ring();
    produce(r, fill(10, 0));
    expect(r.query(RingbufQuery.AVAIL_DATA)).toBe(24n);
    expect(r.query(RingbufQuery.RING_SIZE)).toBe(BigInt(SIZE));
    expect(r.query(RingbufQuery.PROD_POS)).toBe(24n);
    expect(r.query(RingbufQuery.CONS_POS)).toBe(0n);
    r.drain();
    expect(r.query(RingbufQuery.CONS_POS)).toBe(24n);
    expect(r.query(99)).toBe(0n);
  });
});
