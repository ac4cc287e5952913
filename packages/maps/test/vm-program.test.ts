/**
 * Programs assembled with @ebpf/assembler and run in the VM's interpreter, reaching maps through
 * test helpers that call the program-side API, as @ebpf/helpers will.
 */
import { assemble } from '@ebpf/assembler';
import { isEbpfError } from '@ebpf/isa';
import { EbpfVmNoData, VM_ACCESS_VIOLATION } from '@ebpf/vm';
import { describe, expect, it } from 'vitest';
import {
  type BpfMap,
  createTypedMap,
  MapSet,
  MapType,
  type RingBufferMap,
  u32,
  u64,
} from '../src/index.js';

/** Registers helpers 1-3 (lookup, update, delete) and 130 (ringbuf output) over a map set. */
function withMapHelpers(vm: EbpfVmNoData, maps: MapSet): void {
  const map = (handle: bigint): BpfMap => {
    const m = maps.fromHandle(handle);
    if (!m) throw new Error(`not a map handle: ${handle}`);
    return m;
  };
  vm.registerHelper(1, (r1, r2, _r3, _r4, _r5, ctx) => map(r1).lookupElem(r2, ctx.pc));
  vm.registerHelper(2, (r1, r2, r3, r4, _r5, ctx) => map(r1).updateElem(r2, r3, r4, ctx.pc));
  vm.registerHelper(3, (r1, r2, _r3, _r4, _r5, ctx) => map(r1).deleteElem(r2, ctx.pc));
  vm.registerHelper(130, (r1, r2, r3, r4, _r5, ctx) =>
    (map(r1) as RingBufferMap).output(r2, r3, r4, ctx.pc),
  );
}

/** Looks up key 0 of map 0 and adds 1 to the u64 value in place, atomically. */
const INCREMENT = `
  stw [r10-4], 0
  lddw_map_idx r1, 0
  mov r2, r10
  add r2, -4
  call 1
  jeq r0, 0, +3
  mov r1, 1
  lock add [r0], r1
  ja +1
  mov r0, 1
  exit`;

function setUp(def: Parameters<MapSet['create']>[0], source: string, cpus = 1) {
  const vm = new EbpfVmNoData();
  const maps = new MapSet(vm, { cpus });
  const map = maps.create(def);
  withMapHelpers(vm, maps);
  vm.setProgram(maps.relocate(assemble(source)));
  return { vm, maps, map };
}

describe('programs using maps in the interpreter', () => {
  it('increments an array counter in place through the value pointer', () => {
    const { vm, map } = setUp(
      { name: 'counter', type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 },
      INCREMENT,
    );
    const counter = createTypedMap(map, { key: u32, value: u64 });
    counter.set(0, 40n);
    for (let i = 0; i < 2; i++) vm.executeProgram();
    expect(counter.get(0)).toBe(42n);
  });

  it('increments the current CPU’s slot of a per-CPU array', () => {
    const { vm, maps, map } = setUp(
      { name: 'pcpu', type: MapType.PERCPU_ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 },
      INCREMENT,
      3,
    );
    for (const cpu of [0, 2, 2, 1, 2]) {
      maps.cpus.current = cpu;
      vm.executeProgram();
    }
    expect(createTypedMap(map, { key: u32, value: u64 }).getPerCpu(0)).toEqual([1n, 1n, 3n]);
  });

  it('inserts into a hash map from the program, then increments through the pointer', () => {
    const source = `
      stdw [r10-8], 7
      stdw [r10-16], 100
      lddw_map_idx r1, 0
      mov r2, r10
      add r2, -8
      mov r3, r10
      add r3, -16
      mov r4, 1
      call 2
      mov r6, r0
      lddw_map_idx r1, 0
      mov r2, r10
      add r2, -8
      call 1
      jeq r0, 0, +2
      mov r1, 5
      lock add [r0], r1
      mov r0, r6
      exit`;
    const { vm, map } = setUp(
      { name: 'flows', type: MapType.HASH, keySize: 8, valueSize: 8, maxEntries: 4 },
      source,
    );
    const flows = createTypedMap(map, { key: u64, value: u64 });
    expect(vm.executeProgram()).toBe(0n);
    expect(flows.get(7n)).toBe(105n);
    // the second run's BPF_NOEXIST insert fails with -EEXIST, the increment still happens
    expect(vm.executeProgram()).toBe(BigInt.asUintN(64, -17n));
    expect(flows.get(7n)).toBe(110n);
  });

  it('writes ring buffer records the host consumes', () => {
    const source = `
      stdw [r10-8], 0x1234
      lddw_map_idx r1, 0
      mov r2, r10
      add r2, -8
      mov r3, 8
      mov r4, 0
      call 130
      exit`;
    const { vm, map } = setUp(
      { name: 'events', type: MapType.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096 },
      source,
    );
    for (let i = 0; i < 3; i++) expect(vm.executeProgram()).toBe(0n);
    const records = (map as RingBufferMap).drain();
    expect(records.map((r) => u64.decode(r))).toEqual([0x1234n, 0x1234n, 0x1234n]);
  });

  it('an access past the value faults with the VM’s typed error', () => {
    const source = INCREMENT.replace('lock add [r0], r1', 'stxdw [r0+8], r1');
    const { vm } = setUp(
      { name: 'one', type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 },
      source,
    );
    let error: unknown;
    try {
      vm.executeProgram();
    } catch (e) {
      error = e;
    }
    expect(isEbpfError(error, VM_ACCESS_VIOLATION)).toBe(true);
    expect((error as { context: { region: string } }).context.region).toBe('map:one');
  });

  it('dereferencing a map handle faults: handles are not pointers', () => {
    const { vm } = setUp(
      { name: 'h', type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 },
      'lddw_map_idx r1, 0\nldxdw r0, [r1]\nexit',
    );
    let error: unknown;
    try {
      vm.executeProgram();
    } catch (e) {
      error = e;
    }
    expect(isEbpfError(error, VM_ACCESS_VIOLATION)).toBe(true);
  });
});
