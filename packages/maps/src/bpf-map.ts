/**
 * The base of every map: its definition, its region in the VM's address space, and the
 * "program side" operations helpers call with virtual addresses. Each operation returns what the
 * kernel's returns: a value address or 0, and 0 or a negative errno.
 */
import type { AddressSpace } from '@ebpf/vm';
import { CpuState } from './cpu-state.js';
import { Errno, MapFlag } from './map-constants.js';
import type { CheckedDefinition } from './map-definition.js';
import { MAP_BAD_ARGUMENT, MAP_NO_REGION, MAP_TOO_LARGE, MapError } from './map-errors.js';

/** Where a map lives: an address space, or anything that has one (an `EbpfVm`). */
export type MapTarget = AddressSpace | { readonly space: AddressSpace };

/** Options of map creation. */
export interface MapOptions {
  /** The CPUs per-CPU maps keep values for: a shared {@link CpuState}, or a count (default 1). */
  readonly cpus?: CpuState | number;
  /** The most bytes one map's region may take (default {@link DEFAULT_MAX_MAP_BYTES}). */
  readonly maxBytes?: number;
}

/** 256 MiB: a guard against definitions (from untrusted ELF files) that ask for gigabytes. */
export const DEFAULT_MAX_MAP_BYTES = 256 * 1024 * 1024;

/** The resolved environment a map is created in. */
export interface MapEnvironment {
  readonly space: AddressSpace;
  readonly cpus: CpuState;
  readonly maxBytes: number;
}

/** Resolves a {@link MapTarget} and {@link MapOptions} into a {@link MapEnvironment}. */
export function resolveEnvironment(target: MapTarget, options: MapOptions = {}): MapEnvironment {
  const space = 'space' in target ? target.space : target;
  if (!space || typeof space.addRegion !== 'function') {
    throw new MapError(MAP_BAD_ARGUMENT, {
      argument: 'target',
      problem: 'not an AddressSpace or a VM with one',
    });
  }
  const cpus = options.cpus instanceof CpuState ? options.cpus : new CpuState(options.cpus ?? 1);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_MAP_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw new MapError(MAP_BAD_ARGUMENT, { argument: 'maxBytes', problem: `${maxBytes}` });
  }
  return { space, cpus, maxBytes };
}

/** Rounds up to a multiple of 8, as the kernel lays out values (so 8-byte atomics are aligned). */
export function roundUp8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

/** Unsigned 64-bit flags from a register (bigint) or a host number. */
export function toFlags(flags: bigint | number): bigint {
  return BigInt.asUintN(64, typeof flags === 'bigint' ? flags : BigInt(Math.trunc(flags)));
}

/**
 * One map. Subclasses implement the operations their type has; the rest give the kernel's answer
 * for an operation a type does not support (`lookupElem` gives 0, the others `-EINVAL`).
 */
export abstract class BpfMap {
  /** The definition the map was made from, checked. */
  readonly definition: CheckedDefinition;
  readonly name: string;
  readonly type: number;
  readonly typeName: string;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  /** The address space holding the map's values. */
  readonly space: AddressSpace;
  /** The CPUs per-CPU maps keep values for, and the current one. */
  readonly cpus: CpuState;
  /** The map's region index, or `undefined` for maps that keep nothing in VM memory. */
  readonly region: number | undefined;
  /** The region's first virtual address (0 when there is no region). */
  readonly address: bigint;
  /** Physical offset of the region in the linear memory (host regions never move). */
  protected readonly base: number;
  /** Bytes from one value slot to the next: the value size rounded up to 8. */
  readonly valueStride: number;

  protected constructor(def: CheckedDefinition, env: MapEnvironment, regionBytes: number) {
    this.definition = def;
    this.name = def.name;
    this.type = def.type;
    this.typeName = def.typeName;
    this.keySize = def.keySize;
    this.valueSize = def.valueSize;
    this.maxEntries = def.maxEntries;
    this.flags = def.flags;
    this.space = env.space;
    this.cpus = env.cpus;
    this.valueStride = roundUp8(def.valueSize);
    if (regionBytes === 0) {
      this.region = undefined;
      this.address = 0n;
      this.base = 0;
      return;
    }
    if (!(regionBytes <= env.maxBytes)) {
      throw new MapError(MAP_TOO_LARGE, { map: def.name, bytes: regionBytes, limit: env.maxBytes });
    }
    const writable = (def.flags & MapFlag.RDONLY_PROG) === 0;
    let index: number;
    try {
      index = env.space.addRegion(`map:${def.name}`, regionBytes, { writable });
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      throw new MapError(
        MAP_NO_REGION,
        { map: def.name, bytes: regionBytes, reason },
        undefined,
        e,
      );
    }
    const region = env.space.region(index)!;
    this.region = index;
    this.address = region.address;
    this.base = region.base;
  }

  /** Whether programs may not write the map (`BPF_F_RDONLY_PROG`). */
  get readOnlyForPrograms(): boolean {
    return (this.flags & MapFlag.RDONLY_PROG) !== 0;
  }

  /** The linear memory's bytes (taken afresh: the memory may have grown since). */
  protected get memory(): Uint8Array {
    return this.space.bytes;
  }

  /** Copies the key a program points to (checked like the program's own loads). */
  protected readKey(keyAddr: bigint, pc?: number): Uint8Array {
    return this.space.read(keyAddr, this.keySize, pc);
  }

  /** Copies the value a program points to. */
  protected readValue(valueAddr: bigint, pc?: number): Uint8Array {
    return this.space.read(valueAddr, this.valueSize, pc);
  }

  /** The virtual address of a byte offset inside the map's region. */
  protected addressAt(offset: number): bigint {
    return this.address + BigInt(offset);
  }

  /**
   * `bpf_map_lookup_elem`: the address of the value stored under the key at `keyAddr`, or 0.
   * `pc` (the calling instruction) goes into the fault if `keyAddr` is not readable.
   */
  lookupElem(_keyAddr: bigint, _pc?: number): bigint {
    return 0n;
  }

  /** `bpf_map_update_elem`: stores the value at `valueAddr` under the key at `keyAddr`. */
  updateElem(_keyAddr: bigint, _valueAddr: bigint, _flags: bigint | number, _pc?: number): number {
    return -Errno.EINVAL;
  }

  /** `bpf_map_delete_elem`. */
  deleteElem(_keyAddr: bigint, _pc?: number): number {
    return -Errno.EINVAL;
  }

  /** `bpf_map_push_elem` (queue and stack). */
  pushElem(_valueAddr: bigint, _flags: bigint | number, _pc?: number): number {
    return -Errno.EINVAL;
  }

  /** `bpf_map_pop_elem` (queue and stack): writes the value to `valueAddr`. */
  popElem(_valueAddr: bigint, _pc?: number): number {
    return -Errno.EINVAL;
  }

  /** `bpf_map_peek_elem` (queue and stack): writes the value to `valueAddr`. */
  peekElem(_valueAddr: bigint, _pc?: number): number {
    return -Errno.EINVAL;
  }
}
