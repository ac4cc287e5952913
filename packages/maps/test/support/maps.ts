/** Shared test helpers: a fresh address space, errors caught as values, byte shorthands. */
import { type EbpfError, isEbpfError } from '@ebpf/isa';
import { AddressSpace } from '@ebpf/vm';
import { type BpfMap, type MapDefinition, MapSet } from '../../src/index.js';

/** A map set over a fresh address space. */
export function freshSet(cpus = 1): MapSet {
  return new MapSet(new AddressSpace(), { cpus });
}

/** Creates one map in a fresh set. */
export function make<M extends BpfMap>(def: MapDefinition, cpus = 1): M {
  return freshSet(cpus).create(def) as M;
}

/** The `EbpfError` `fn` throws (fails the test when it throws nothing or something else). */
export function errorOf(fn: () => unknown): EbpfError {
  try {
    fn();
  } catch (e) {
    if (isEbpfError(e)) return e;
    throw e;
  }
  throw new Error('expected an EbpfError, nothing was thrown');
}

/** A little-endian u32 as 4 bytes. */
export function le32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n >>> 0, true);
  return out;
}

/** A little-endian u64 as 8 bytes. */
export function le64(n: bigint | number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt.asUintN(64, BigInt(n)), true);
  return out;
}

/** Reads a little-endian u64 from bytes. */
export function readLe64(bytes: Uint8Array | undefined): bigint | undefined {
  return bytes === undefined
    ? undefined
    : new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
}

/**
 * A scratch region to hold keys and values the "program side" API reads by address, as a
 * program's stack would.
 */
export function scratch(
  map: BpfMap,
  size = 1024,
): { put(offset: number, bytes: Uint8Array): bigint; address: bigint } {
  const index = map.space.addRegion('scratch', size);
  const address = map.space.region(index)!.address;
  return {
    address,
    put(offset, bytes) {
      map.space.write(address + BigInt(offset), bytes);
      return address + BigInt(offset);
    },
  };
}
