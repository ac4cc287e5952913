/**
 * `BPF_MAP_TYPE_RINGBUF` (27): a multi-record ring the program writes and the host consumes. The
 * size (`max_entries`) is a power of two and a multiple of the 4 KiB page, as the kernel demands.
 *
 * Records are laid out as the kernel lays them out: an 8-byte header (u32 length with the busy bit
 * 31 and the discard bit 30, u32 page offset of the header in the data area), the data, padding
 * to 8 bytes. Positions only grow; `position & (size - 1)` is the offset in the ring. A reserve
 * fails (returns 0) when it would put the producer more than `size - 1` bytes ahead of the
 * consumer.
 *
 * The kernel maps the ring's pages twice in a row so that a record crossing the end is contiguous
 * in memory. The VM cannot alias memory, so the region is twice the ring size instead: a record
 * that crosses the end is written contiguously into the second half, and its submit (or discard)
 * copies that tail to the start of the ring, where the consumer reads it.
 */
import { BpfMap, type MapEnvironment, toFlags } from './bpf-map.js';
import { Errno, MapFlag, Ringbuf, RingbufFlag, RingbufQuery } from './map-constants.js';
import { type CheckedDefinition, checkDefinition } from './map-definition.js';
import { MAP_BAD_MAX_ENTRIES, MapError } from './map-errors.js';

const HEADER = Ringbuf.HEADER_SIZE;
const LENGTH_MASK = ~(Ringbuf.BUSY_BIT | Ringbuf.DISCARD_BIT) >>> 0;

/** A reserved record, not yet submitted or discarded. */
interface Pending {
  readonly size: number;
}

/**
 * A ring buffer map.
 *
 * @example
 * const events = createMap({ name: 'events', type: MapType.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096 }, vm) as RingBufferMap;
 * // ... a program calls bpf_ringbuf_output / reserve + submit ...
 * events.consume((record) => console.log(record));
 */
export class RingBufferMap extends BpfMap {
  /** Bytes in the ring (`max_entries`). */
  readonly ringSize: number;
  readonly #mask: number;
  #producer = 0;
  #consumer = 0;
  /** Reserved records by the ring offset of their header. */
  readonly #pending = new Map<number, Pending>();

  constructor(def: CheckedDefinition, env: MapEnvironment) {
    checkDefinition(def, { keySize: 0, valueSize: 0, flagMask: MapFlag.NUMA_NODE });
    const size = def.maxEntries;
    if ((size & (size - 1)) !== 0 || size % Ringbuf.PAGE_SIZE !== 0) {
      throw new MapError(MAP_BAD_MAX_ENTRIES, {
        map: def.name,
        typeName: def.typeName,
        errno: Errno.EINVAL,
        maxEntries: size,
        expected: `a power of two multiple of ${Ringbuf.PAGE_SIZE}`,
      });
    }
    super(def, env, 2 * size);
    this.ringSize = size;
    this.#mask = size - 1;
  }

  /** The producer position: bytes ever reserved. */
  get producerPosition(): number {
    return this.#producer;
  }

  /** The consumer position: bytes ever consumed. */
  get consumerPosition(): number {
    return this.#consumer;
  }

  /** Bytes reserved and not yet consumed (`BPF_RB_AVAIL_DATA`). */
  get available(): number {
    return this.#producer - this.#consumer;
  }

  #header(offset: number): number {
    return this.space.view.getUint32(this.base + offset, true);
  }

  #setHeader(offset: number, length: number): void {
    const view = this.space.view;
    view.setUint32(this.base + offset, length >>> 0, true);
    view.setUint32(this.base + offset + 4, offset >>> 12, true);
  }

  /** Whether a record of `size` data bytes fits now (the producer stays < size - 1 ahead). */
  #fits(size: number): boolean {
    const length = Math.ceil((size + HEADER) / 8) * 8;
    return length <= this.ringSize && this.#producer + length - this.#consumer <= this.#mask;
  }

  /**
   * `bpf_ringbuf_reserve`: room for `size` bytes, returned as the address of the record's data,
   * or 0 when `flags` is not 0, the record is too large, or the ring has no room.
   */
  reserve(size: bigint | number, flags: bigint | number = 0): bigint {
    if (toFlags(flags) !== 0n) return 0n;
    const want = typeof size === 'bigint' ? size : BigInt(Math.trunc(size));
    if (want < 0n || want > BigInt(Ringbuf.MAX_RECORD_SIZE)) return 0n;
    const n = Number(want);
    if (!this.#fits(n)) return 0n;
    const length = Math.ceil((n + HEADER) / 8) * 8;
    const offset = this.#producer & this.#mask;
    this.#setHeader(offset, n | Ringbuf.BUSY_BIT);
    this.#pending.set(offset, { size: n });
    this.#producer += length;
    return this.addressAt(offset + HEADER);
  }

  #commit(dataAddr: bigint, discard: boolean): number {
    const offset = Number(dataAddr - this.address) - HEADER;
    const record = dataAddr > this.address ? this.#pending.get(offset) : undefined;
    if (!record) return -Errno.EINVAL;
    const end = offset + HEADER + record.size;
    if (end > this.ringSize) {
      // The record crossed the end: move its tail from the second half to the ring's start.
      this.memory.copyWithin(this.base, this.base + this.ringSize, this.base + end);
    }
    this.#setHeader(offset, record.size | (discard ? Ringbuf.DISCARD_BIT : 0));
    this.#pending.delete(offset);
    return 0;
  }

  /**
   * `bpf_ringbuf_submit`: hands a reserved record to the consumer. Returns 0, or -EINVAL when
   * `dataAddr` is not a record reserved and still pending (the kernel's verifier rules that out).
   */
  submit(dataAddr: bigint, _flags: bigint | number = 0): number {
    return this.#commit(dataAddr, false);
  }

  /** `bpf_ringbuf_discard`: drops a reserved record (consumers skip it). Returns like `submit`. */
  discard(dataAddr: bigint, _flags: bigint | number = 0): number {
    return this.#commit(dataAddr, true);
  }

  /**
   * `bpf_ringbuf_output`: copies `size` bytes from `dataAddr` into a new record. Returns 0,
   * -EINVAL for flags other than the wakeup flags, -EAGAIN when there is no room.
   */
  output(dataAddr: bigint, size: bigint | number, flags: bigint | number = 0, pc?: number): number {
    if ((toFlags(flags) & ~BigInt(RingbufFlag.NO_WAKEUP | RingbufFlag.FORCE_WAKEUP)) !== 0n) {
      return -Errno.EINVAL;
    }
    const want = typeof size === 'bigint' ? size : BigInt(Math.trunc(size));
    if (want < 0n || want > BigInt(Ringbuf.MAX_RECORD_SIZE) || !this.#fits(Number(want))) {
      return -Errno.EAGAIN;
    }
    // Read before reserving: a faulting source must not leave a busy record behind.
    const data = this.space.read(dataAddr, Number(want), pc);
    const at = this.reserve(want);
    this.memory.set(data, this.base + Number(at - this.address));
    return this.#commit(at, false);
  }

  /** `bpf_ringbuf_query`: available data, ring size, consumer or producer position; else 0. */
  query(flags: bigint | number): bigint {
    switch (toFlags(flags)) {
      case BigInt(RingbufQuery.AVAIL_DATA):
        return BigInt(this.available);
      case BigInt(RingbufQuery.RING_SIZE):
        return BigInt(this.ringSize);
      case BigInt(RingbufQuery.CONS_POS):
        return BigInt(this.#consumer);
      case BigInt(RingbufQuery.PROD_POS):
        return BigInt(this.#producer);
      default:
        return 0n;
    }
  }

  /** `size` bytes of the ring from `offset`, wrapping at the end (a copy). */
  #readWrapped(offset: number, size: number): Uint8Array {
    const out = new Uint8Array(size);
    const memory = this.memory;
    const start = offset & this.#mask;
    const first = Math.min(size, this.ringSize - start);
    out.set(memory.subarray(this.base + start, this.base + start + first));
    if (first < size) out.set(memory.subarray(this.base, this.base + size - first), first);
    return out;
  }

  /**
   * Consumes submitted records in order, calling `callback` with a copy of each one's data and
   * skipping discarded ones; stops at the first record still reserved, or after a callback that
   * returns `false`. Returns the number of records handed to the callback.
   *
   * @example
   * const seen: Uint8Array[] = [];
   * ring.consume((data) => { seen.push(data); });
   */
  consume(callback: (data: Uint8Array) => unknown = () => undefined): number {
    let count = 0;
    while (this.#consumer < this.#producer) {
      const offset = this.#consumer & this.#mask;
      const header = this.#header(offset);
      if ((header & Ringbuf.BUSY_BIT) !== 0) break;
      const size = header & LENGTH_MASK;
      this.#consumer += Math.ceil((size + HEADER) / 8) * 8;
      if ((header & Ringbuf.DISCARD_BIT) !== 0) continue;
      count++;
      if (callback(this.#readWrapped(offset + HEADER, size)) === false) break;
    }
    return count;
  }

  /** Consumes every submitted record and returns their data. */
  drain(): Uint8Array[] {
    const out: Uint8Array[] = [];
    this.consume((data) => {
      out.push(data);
    });
    return out;
  }
}
