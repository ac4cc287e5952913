/**
 * Any register values into any helper: the result is an r0, or a typed error (the VM's access
 * error, or this package's), never a crash, a host exception or a hang.
 */
import { isEbpfError } from '@ebpf/isa';
import { MapSet, MapType, type ProgramArrayMap } from '@ebpf/maps';
import { AddressSpace, REGION_INPUT, VM_HELPER_FAILED } from '@ebpf/vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kernelHelpers, rbpfHelpers } from '../src/index.js';
import { createBench } from './support/bench.js';

function world() {
  const space = new AddressSpace();
  const maps = new MapSet(space);
  const created = [
    maps.create({ name: 'a', type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 4 }),
    maps.create({ name: 'h', type: MapType.HASH, keySize: 8, valueSize: 8, maxEntries: 4 }),
    maps.create({ name: 'q', type: MapType.STACK, keySize: 0, valueSize: 4, maxEntries: 2 }),
    maps.create({ name: 'rb', type: MapType.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096 }),
    maps.create({ name: 'p', type: MapType.PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: 2 }),
  ];
  (created[4] as ProgramArrayMap).set(0, 'somewhere');
  const bench = createBench(kernelHelpers({ maps }), space);
  const mem = bench.region(Uint8Array.from({ length: 64 }, (_, i) => (i * 37) & 0xff));
  space.layoutRun(40, 8);
  space.regionBytes(REGION_INPUT).set(Uint8Array.from({ length: 40 }, (_, i) => i));
  const handles = created.map((m) => maps.handleOf(m));
  const addresses = [
    mem,
    space.region(REGION_INPUT)!.address,
    0x1_0000_0000n + 4000n,
    ...created.flatMap((m) => (m.region ? [m.address] : [])),
  ];
  return { bench, handles, addresses };
}

describe('helpers under arbitrary register values', () => {
  it('kernel and rbpf helpers return or throw typed errors only', () => {
    const w = world();
    const rbpf = createBench(rbpfHelpers(), w.bench.space);
    const reg = fc.oneof(
      fc.constantFrom(0n, 1n, 4n, 8n, 0xffff_ffff_ffff_ffffn, 1n << 63n, 0xffff_ffffn),
      fc.constantFrom(...w.handles),
      fc
        .tuple(fc.constantFrom(...w.addresses), fc.integer({ min: -8, max: 80 }))
        .map(([a, o]) => BigInt.asUintN(64, a + BigInt(o))),
      fc.bigInt({ min: 0n, max: 0xffff_ffff_ffff_ffffn }),
      fc.integer({ min: 0, max: 600 }).map(BigInt),
    );
    const ids = [...w.bench.table.prototypes().keys()];
    fc.assert(
      fc.property(
        fc.constantFrom(...ids, -1, -2, -3, -4, -5, -6),
        reg,
        reg,
        reg,
        reg,
        reg,
        (id, a, b, c, d, e) => {
          const [bench, helper] = id < 0 ? [rbpf, [0, 1, 3, 4, 5, 6][-id - 1]] : [w.bench, id];
          try {
            const r0 = bench.call(helper, a, b, c, d, e);
            expect(typeof r0).toBe('bigint');
          } catch (err) {
            expect(isEbpfError(err)).toBe(true);
            expect(isEbpfError(err, VM_HELPER_FAILED), String(err)).toBe(false);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
