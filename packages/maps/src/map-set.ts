/**
 * A program's maps: a registry that numbers maps the two ways `lddw` refers to them (an index, as
 * `@ebpf/elf` links programs, and a file descriptor, as the kernel's loaders do), gives each map an
 * opaque 64-bit handle for the program's registers, and rewrites a program's map references into
 * plain `lddw`s the VM runs.
 *
 * The contract with loaders and helpers:
 *
 * | `lddw` src | meaning                          | becomes (`src` 0, imm64)                       |
 * | ---------- | -------------------------------- | ---------------------------------------------- |
 * | 1          | map by fd (imm)                  | the map's handle                               |
 * | 5          | map by index (imm)               | the map's handle                               |
 * | 2          | value of map by fd, + 2nd imm    | element 0's address + offset (1-element array) |
 * | 6          | value of map by index, + 2nd imm | the same                                       |
 *
 * A handle is `MAP_HANDLE_TAG << 32 | fd`. Its upper half names no region, so a program that
 * dereferences a handle faults, as the kernel's verifier would refuse it; helpers get the map
 * back with {@link MapSet.fromHandle}. Indices count from 0 in the order maps were added, fds
 * from `firstFd` (3, as after stdin, stdout and stderr). Global data (`.rodata`, `.data`, `.bss`)
 * is no special case: `@ebpf/elf` turns each section into an internal one-element array map, as
 * libbpf does, so a data reference is an ordinary src 2/6 value reference.
 */
import { decode, Lddw } from '@ebpf/isa';
import type { AddressSpace } from '@ebpf/vm';
import { ArrayMap } from './array-map.js';
import { type BpfMap, type MapTarget, resolveEnvironment } from './bpf-map.js';
import type { CpuState } from './cpu-state.js';
import { createMap } from './create-map.js';
import type { MapDefinition } from './map-definition.js';
import {
  MAP_BAD_ARGUMENT,
  MAP_BAD_VALUE_REFERENCE,
  MAP_UNKNOWN_REFERENCE,
  MapError,
} from './map-errors.js';

/** The upper 32 bits of every map handle (ASCII `map\0`); no region has so high a number. */
export const MAP_HANDLE_TAG = 0x6d61_7000;

/** The fd the first map of a set gets by default. */
export const FIRST_MAP_FD = 3;

/** Options of a {@link MapSet}. */
export interface MapSetOptions {
  /** How many CPUs per-CPU maps simulate (default 1). */
  readonly cpus?: number;
  /** The fd of the first map (default {@link FIRST_MAP_FD}). */
  readonly firstFd?: number;
  /** The most bytes one map's region may take. */
  readonly maxBytes?: number;
}

/** What the verifier's host declaration wants to know about a map. */
export interface MapSummary {
  readonly name: string;
  readonly keySize: number;
  readonly valueSize: number;
  /** Programs may not write its values (`BPF_F_RDONLY_PROG`, as libbpf sets for `.rodata`). */
  readonly readOnly: boolean;
}

/**
 * The maps of one VM.
 *
 * @example
 * const maps = new MapSet(vm, { cpus: 2 });
 * for (const def of object.maps) maps.create(def);   // index i is object.maps[i]
 * vm.setProgram(maps.relocate(program.bytes));        // lddw map references resolved
 * vm.registerHelper(1, (r1, r2) => maps.fromHandle(r1)?.lookupElem(r2) ?? 0n);
 */
export class MapSet implements Iterable<BpfMap> {
  /** The address space every map of the set lives in. */
  readonly space: AddressSpace;
  /** The simulated CPUs; set `cpus.current` before a run to pick per-CPU values. */
  readonly cpus: CpuState;
  readonly #maxBytes: number;
  readonly #firstFd: number;
  readonly #maps: BpfMap[] = [];
  readonly #byFd = new Map<number, BpfMap>();

  constructor(target: MapTarget, options: MapSetOptions = {}) {
    const env = resolveEnvironment(target, {
      cpus: options.cpus ?? 1,
      ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
    });
    this.space = env.space;
    this.cpus = env.cpus;
    this.#maxBytes = env.maxBytes;
    const firstFd = options.firstFd ?? FIRST_MAP_FD;
    if (!Number.isInteger(firstFd) || firstFd < 0 || firstFd > 0x7fff_0000) {
      throw new MapError(MAP_BAD_ARGUMENT, { argument: 'firstFd', problem: `${firstFd}` });
    }
    this.#firstFd = firstFd;
  }

  /** The number of maps. */
  get size(): number {
    return this.#maps.length;
  }

  [Symbol.iterator](): Iterator<BpfMap> {
    return this.#maps[Symbol.iterator]();
  }

  /** Creates a map from `def` (see {@link createMap}) and adds it; its index is the set's size before. */
  create(def: MapDefinition): BpfMap {
    const map = createMap(def, this.space, { cpus: this.cpus, maxBytes: this.#maxBytes });
    this.add(map);
    return map;
  }

  /** Creates every map of `defs` in order, so that index `i` is `defs[i]` (the ELF contract). */
  createAll(defs: readonly MapDefinition[]): BpfMap[] {
    return defs.map((d) => this.create(d));
  }

  /** Adds a map made elsewhere (in the same address space, with the same CPUs); returns its index. */
  add(map: BpfMap): number {
    if (map.space !== this.space || map.cpus !== this.cpus) {
      throw new MapError(MAP_BAD_ARGUMENT, {
        argument: `map '${map.name}'`,
        problem: 'made for another address space or another CPU set',
      });
    }
    if (this.#maps.includes(map)) {
      throw new MapError(MAP_BAD_ARGUMENT, {
        argument: `map '${map.name}'`,
        problem: 'added twice',
      });
    }
    const index = this.#maps.length;
    this.#maps.push(map);
    this.#byFd.set(this.#firstFd + index, map);
    return index;
  }

  /** The map at `index`, or `undefined`. */
  at(index: number): BpfMap | undefined {
    return Number.isInteger(index) && index >= 0 ? this.#maps[index] : undefined;
  }

  /** The map with file descriptor `fd`, or `undefined`. */
  byFd(fd: number): BpfMap | undefined {
    return this.#byFd.get(fd);
  }

  /** The first map named `name`, or `undefined`. */
  byName(name: string): BpfMap | undefined {
    return this.#maps.find((m) => m.name === name);
  }

  /** The index of `map` in the set, or -1. */
  indexOf(map: BpfMap): number {
    return this.#maps.indexOf(map);
  }

  /** The fd of `map`, or -1 when it is not in the set. */
  fdOf(map: BpfMap): number {
    const index = this.#maps.indexOf(map);
    return index < 0 ? -1 : this.#firstFd + index;
  }

  /** The handle a program holds for `map` (what `lddw` src 1/5 load). */
  handleOf(map: BpfMap): bigint {
    const fd = this.fdOf(map);
    if (fd < 0) {
      throw new MapError(MAP_BAD_ARGUMENT, {
        argument: `map '${map.name}'`,
        problem: 'not in this map set',
      });
    }
    return (BigInt(MAP_HANDLE_TAG) << 32n) | BigInt(fd);
  }

  /** The map a handle (a register value) names, or `undefined` for anything that is no handle. */
  fromHandle(handle: bigint): BpfMap | undefined {
    const h = BigInt.asUintN(64, handle);
    if (h >> 32n !== BigInt(MAP_HANDLE_TAG)) return undefined;
    return this.#byFd.get(Number(h & 0xffff_ffffn));
  }

  #lookup(by: 'fd' | 'index', value: number, pc?: number): BpfMap {
    const map = by === 'fd' ? this.byFd(value) : this.at(value);
    if (!map) {
      const known = this.#maps.map((_, i) => (by === 'fd' ? this.#firstFd + i : i));
      throw new MapError(MAP_UNKNOWN_REFERENCE, { by, value, known }, pc);
    }
    return map;
  }

  #valueAddress(map: BpfMap, offset: number, pc?: number): bigint {
    if (!(map instanceof ArrayMap)) {
      throw new MapError(
        MAP_BAD_VALUE_REFERENCE,
        { map: map.name, offset, problem: `a ${map.typeName} map has no direct value address` },
        pc,
      );
    }
    return map.directValueAddress(offset, pc);
  }

  /**
   * The 64-bit value an `lddw` with source subtype `src` (1, 2, 5 or 6), immediate `imm` and
   * second immediate `offset` loads; `undefined` for the subtypes that are not about maps.
   *
   * @throws MapError MAP_UNKNOWN_REFERENCE, MAP_BAD_VALUE_REFERENCE (with `pc` when given).
   */
  resolveLddw(src: number, imm: number, offset: number, pc?: number): bigint | undefined {
    const off = offset >>> 0;
    switch (src) {
      case Lddw.MAP_FD:
        return this.handleOf(this.#lookup('fd', imm, pc));
      case Lddw.MAP_IDX:
        return this.handleOf(this.#lookup('index', imm >>> 0, pc));
      case Lddw.MAP_VALUE_FD:
        return this.#valueAddress(this.#lookup('fd', imm, pc), off, pc);
      case Lddw.MAP_VALUE_IDX:
        return this.#valueAddress(this.#lookup('index', imm >>> 0, pc), off, pc);
      default:
        return undefined;
    }
  }

  /**
   * A copy of `program` with every map reference (`lddw` src 1, 2, 5, 6) replaced by a plain
   * `lddw` of its handle or value address; every other instruction is copied unchanged.
   *
   * @throws DecodeError for bytes that are no program; MapError for references it cannot resolve.
   */
  relocate(program: Uint8Array): Uint8Array {
    const out = new Uint8Array(program);
    const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    for (const insn of decode(program)) {
      if (insn.row.kind !== 'lddw') continue;
      const upper = Number((insn.imm64 ?? 0n) >> 32n) | 0;
      const value = this.resolveLddw(insn.src, insn.imm, upper, insn.pc);
      if (value === undefined) continue;
      const at = insn.pc * 8;
      out[at + 1] = insn.dst; // src nibble 0: a plain 64-bit immediate
      view.setUint32(at + 4, Number(value & 0xffff_ffffn), true);
      view.setUint32(at + 12, Number(value >> 32n), true);
    }
    return out;
  }

  /**
   * The maps as the verifier's host declaration (`HostDeclaration.maps`) lists them, keyed by
   * index (what `@ebpf/elf`'s programs use) or by fd.
   */
  declarations(by: 'index' | 'fd' = 'index'): Map<number, MapSummary> {
    return new Map(
      this.#maps.map((m, i) => [
        by === 'fd' ? this.#firstFd + i : i,
        {
          name: m.name,
          keySize: m.keySize,
          valueSize: m.valueSize,
          readOnly: m.readOnlyForPrograms,
        },
      ]),
    );
  }
}
