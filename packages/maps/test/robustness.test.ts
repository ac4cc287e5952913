import { isEbpfError } from '@ebpf/isa';
import { AddressSpace, VM_ACCESS_VIOLATION } from '@ebpf/vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createMap,
  type HashMap,
  type MapDefinition,
  MapError,
  MapType,
  type RingBufferMap,
} from '../src/index.js';
import { errorOf, make } from './support/maps.js';

const u32ish = fc.oneof(
  fc.constantFrom(0, 1, 4, 8, 4096, 0xffff_ffff),
  fc.nat(600),
  fc.integer({ min: -5, max: -1 }),
  fc.constantFrom(Number.NaN, 1.5, 2 ** 40),
);

describe('robustness', () => {
  it('any definition either makes a map or throws a MapError', () => {
    fc.assert(
      fc.property(
        fc.record({
          name: fc.string({ maxLength: 8 }),
          type: fc.oneof(fc.nat(40), fc.constantFrom(-1, 1.5, 1000)),
          keySize: u32ish,
          valueSize: u32ish,
          maxEntries: u32ish,
          flags: fc.oneof(fc.constant(0), fc.constant(1), fc.nat(0x2000)),
        }),
        (def) => {
          try {
            const map = createMap(def as MapDefinition, new AddressSpace(), { maxBytes: 1 << 20 });
            expect(map.type).toBe(def.type);
          } catch (e) {
            expect(e).toBeInstanceOf(MapError);
            expect((e as MapError).kind).toBe('load');
          }
        },
      ),
      { numRuns: 300 },
    );
    expect(
      errorOf(() => createMap(null as unknown as MapDefinition, new AddressSpace())).code,
    ).toBe(9015);
  });

  it('a bad key pointer from a program is the VM’s typed fault, carrying the calling instruction', () => {
    const map = make<HashMap>({
      name: 'h',
      type: MapType.HASH,
      keySize: 4,
      valueSize: 8,
      maxEntries: 2,
    });
    for (const call of [
      () => map.lookupElem(0n, 7),
      () => map.updateElem(0x3f_0000_0000n, 0n, 0, 7),
      () => map.deleteElem(map.address + 1_000_000n, 7),
    ]) {
      const e = errorOf(call);
      expect(isEbpfError(e, VM_ACCESS_VIOLATION)).toBe(true);
      expect(e.pc).toBe(7);
    }
    expect(map.size).toBe(0);
  });

  it('a ring buffer output from a bad pointer faults and leaves no busy record behind', () => {
    const r = make<RingBufferMap>({
      name: 'r',
      type: MapType.RINGBUF,
      keySize: 0,
      valueSize: 0,
      maxEntries: 4096,
    });
    expect(
      isEbpfError(
        errorOf(() => r.output(0n, 8, 0, 3)),
        VM_ACCESS_VIOLATION,
      ),
    ).toBe(true);
    expect(r.producerPosition).toBe(0);
    expect(r.output(r.address, 8)).toBe(0);
    expect(r.drain()).toHaveLength(1);
  });
});
