/**
 * A test bench: an address space and a helper table with a helper set installed, so tests call
 * helpers directly with register values and inspect memory, without a program.
 */
import { AddressSpace, HelperTable, REGION_INPUT, REGION_MBUFF } from '@ebpf/vm';
import { type HelperSet, installHelpers } from '../../src/index.js';

export interface Bench {
  readonly space: AddressSpace;
  readonly table: HelperTable;
  /** Calls helper `id` with r1-r5 (numbers or bigints) as at instruction 7; returns r0. */
  call(id: number, ...args: (bigint | number)[]): bigint;
  /** Maps `data` (or `data` zero bytes) as a new region; returns its address. */
  region(data: Uint8Array | number, writable?: boolean): bigint;
  /** A copy of `length` bytes at `address`. */
  bytes(address: bigint, length: number): Uint8Array;
}

export function createBench(set: HelperSet, space = new AddressSpace()): Bench {
  const table = new HelperTable(space);
  installHelpers({ registerHelper: (id, fn, p) => table.register(id, fn, p) }, set);
  return {
    space,
    table,
    call: (id, ...args) => {
      const r = [0n, 0n, 0n, 0n, 0n];
      args.forEach((a, i) => {
        r[i] = BigInt.asUintN(64, BigInt(a));
      });
      return table.call(id, 7, r[0], r[1], r[2], r[3], r[4]);
    },
    region: (data, writable = true) => {
      const length = typeof data === 'number' ? data : data.length;
      // Host regions go below the per-run regions: lay those out again after adding one, as
      // the VM does before every run, keeping the input's bytes.
      const input = space.region(REGION_INPUT)!;
      const saved = input.length > 0 ? space.regionBytes(REGION_INPUT).slice() : undefined;
      const index = space.addRegion(`r${space.regionCount}`, length, { writable });
      if (typeof data !== 'number') space.regionBytes(index).set(data);
      if (saved) {
        space.layoutRun(saved.length, space.region(REGION_MBUFF)!.length);
        space.regionBytes(REGION_INPUT).set(saved);
      }
      return space.region(index)!.address;
    },
    bytes: (address, length) => space.read(address, length),
  };
}

/** The bytes of an ASCII string, with a NUL when `nul`. */
export function cstr(s: string, nul = true): Uint8Array {
  return Uint8Array.from([...s].map((c) => c.charCodeAt(0)).concat(nul ? [0] : []));
}

/** A negative errno as the u64 r0 a helper returns. */
export const neg = (n: number): bigint => BigInt.asUintN(64, BigInt(-n));

/** The text of ASCII bytes. */
export const text = (b: Uint8Array): string => String.fromCharCode(...b);
