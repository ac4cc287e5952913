/**
 * The address space programs see (docs/ARCHITECTURE.md, "The address space"): 64-bit virtual
 * addresses whose upper 32 bits name a region and whose lower 32 bits are the offset inside it.
 * Every region's bytes live in one `WebAssembly.Memory`, and a region table at physical offset 0
 * of that memory says where, so the interpreter and compiled WebAssembly check and translate
 * addresses the same way, on the same bytes.
 *
 * Physical layout of the linear memory:
 *
 *     0      region table: MAX_REGIONS entries of 16 bytes (u32 base, u32 length, u32 flags, 0)
 *     4096   the stack: MAX_CALL_DEPTH frames of 512 bytes
 *     8192   host regions (registerAllowedMemory, later map values and ELF sections), in order
 *     ...    per-run regions: the metadata buffer, then the input, both re-laid before each run
 */
import { MAX_CALL_DEPTH, STACK_FRAME_SIZE } from '@ebpf/isa';
import {
  createLinearMemory,
  type LinearMemory,
  MAX_WASM_PAGES,
  WASM_PAGE_SIZE,
} from './linear-memory.js';
import {
  type RegionSummary,
  VM_ACCESS_VIOLATION,
  VM_BAD_ARGUMENT,
  VM_MISALIGNED_ATOMIC,
  VM_OUT_OF_MEMORY,
  VmError,
} from './vm-errors.js';

/** Region 0 is never mapped: null and every small address fault. */
export const REGION_NONE = 0;
/** The stack region; r10 starts at its top. */
export const REGION_STACK = 1;
/** The input (packet) region. */
export const REGION_INPUT = 2;
/** The metadata buffer (`mbuff`) region. */
export const REGION_MBUFF = 3;
/** The first region the host registers (`registerAllowedMemory`, maps, ELF sections). */
export const FIRST_HOST_REGION = 4;
/** Size of the region table: region indices at or above this fault. */
export const MAX_REGIONS = 64;
/** Physical offset of the region table in the linear memory. */
export const REGION_TABLE_OFFSET = 0;
/** Bytes per region-table entry: u32 physical base, u32 length, u32 flags, u32 reserved (0). */
export const REGION_ENTRY_SIZE = 16;
/** Region flags in a table entry. A region with length 0 maps nothing. */
export const RegionFlag = Object.freeze({ READ: 1, WRITE: 2 } as const);
/** Bytes of stack: one 512-byte frame per call level. */
export const STACK_SIZE = STACK_FRAME_SIZE * MAX_CALL_DEPTH;
/** Physical offset of the stack in the linear memory. */
export const STACK_BASE = 4096;
/** Physical offset of the first host region. */
const HOST_BASE = 8192;
/**
 * Pages the linear memory starts with (1 MiB, enough for the stack, host regions and a 64 KiB
 * packet several times over). Growing replaces the memory's `ArrayBuffer` and detaches the old
 * one, and in V8 the first detach anywhere in a process makes every later typed-array access
 * check for detachment, which slows the interpreter by a fifth; untouched pages cost no RAM.
 */
const INITIAL_PAGES = 16;
/** The most bytes the linear memory can hold. */
export const MEMORY_LIMIT = MAX_WASM_PAGES * WASM_PAGE_SIZE;

/**
 * The virtual address of `offset` in region `index`.
 *
 * @example
 * regionAddress(REGION_INPUT, 4); // 0x2_0000_0004n
 */
export function regionAddress(index: number, offset = 0): bigint {
  return (BigInt(index >>> 0) << 32n) | BigInt(offset >>> 0);
}

/** r10 on entry: the top of the first (highest) stack frame. */
export const STACK_TOP_ADDRESS = regionAddress(REGION_STACK, STACK_SIZE);
/** Where the input (packet) starts in the virtual address space. */
export const INPUT_ADDRESS = regionAddress(REGION_INPUT);
/** Where the metadata buffer starts in the virtual address space. */
export const MBUFF_ADDRESS = regionAddress(REGION_MBUFF);

/**
 * A region whose accesses host code serves instead of the linear memory: the program context
 * (`struct xdp_md`, `struct __sk_buff`). Its table entry has length 0, so every engine's fast
 * bounds check fails and the access takes the fault path, where the engine asks
 * {@link AddressSpace.slowLoad} / {@link AddressSpace.slowStore} before raising a fault. Fast
 * paths cost nothing; context accesses (a few per run) cost a function call.
 */
export interface SlowRegion {
  /** The region's name in error messages. */
  readonly name: string;
  /** Bytes the structure holds (for messages; accesses are checked by `load`/`store`). */
  readonly length: number;
  /**
   * The 64-bit value a `size`-byte load at `offset` gives (already sign-extended when `signed`),
   * or `undefined` when the load is not allowed (it then faults).
   */
  load(offset: number, size: number, signed: boolean): bigint | undefined;
  /** Stores the low `size` bytes of `value` at `offset`; false when not allowed (it faults). */
  store(offset: number, size: number, value: bigint): boolean;
}

/** One mapped region. */
export interface Region extends RegionSummary {
  /** Physical offset of its first byte in the linear memory. */
  readonly base: number;
  /** Its first virtual address. */
  readonly address: bigint;
}

const align8 = (n: number) => Math.ceil(n / 8) * 8;

/**
 * Regions in one linear memory. Views of the memory (`bytes`, `view`, `table`) are replaced when
 * the memory grows, which happens only while regions are laid out, never during a run: take them
 * again after `addRegion` or `layoutRun`.
 */
export class AddressSpace {
  /** The `WebAssembly.Memory` every engine reads and writes. */
  readonly memory: LinearMemory;
  /**
   * Set while a program runs: regions cannot be added or laid out then, because growing the
   * memory would pull the bytes out from under the running engine.
   */
  running = false;
  readonly #names: string[] = [];
  readonly #slow: (SlowRegion | undefined)[] = [];
  #inputCapacity = 0;
  #hostTop = HOST_BASE;
  #buffer: ArrayBuffer;
  #bytes: Uint8Array;
  #view: DataView;
  #table: Uint32Array;

  constructor() {
    this.memory = createLinearMemory(INITIAL_PAGES);
    this.#buffer = this.memory.buffer;
    this.#bytes = new Uint8Array(this.#buffer);
    this.#view = new DataView(this.#buffer);
    this.#table = new Uint32Array(this.#buffer, REGION_TABLE_OFFSET, MAX_REGIONS * 4);
    this.#names[REGION_NONE] = 'null';
    this.#setEntry(REGION_STACK, 'stack', STACK_BASE, STACK_SIZE, true);
    this.#setEntry(REGION_INPUT, 'input', HOST_BASE, 0, true);
    this.#setEntry(REGION_MBUFF, 'mbuff', HOST_BASE, 0, true);
  }

  #refresh(): void {
    if (this.#buffer === this.memory.buffer) return;
    this.#buffer = this.memory.buffer;
    this.#bytes = new Uint8Array(this.#buffer);
    this.#view = new DataView(this.#buffer);
    this.#table = new Uint32Array(this.#buffer, REGION_TABLE_OFFSET, MAX_REGIONS * 4);
  }

  /** All of the linear memory, as bytes. */
  get bytes(): Uint8Array {
    this.#refresh();
    return this.#bytes;
  }
  /** All of the linear memory, as a `DataView` (the VM is little-endian on every host). */
  get view(): DataView {
    this.#refresh();
    return this.#view;
  }
  /** The region table: entry `i` is words `4i` (base), `4i+1` (length), `4i+2` (flags). */
  get table(): Uint32Array {
    this.#refresh();
    return this.#table;
  }

  #checkIdle(what: string): void {
    if (this.running) {
      throw new VmError(VM_BAD_ARGUMENT, {
        argument: what,
        problem: 'not allowed while a program runs',
      });
    }
  }

  #ensure(end: number): void {
    if (end > MEMORY_LIMIT) {
      throw new VmError(VM_OUT_OF_MEMORY, { requested: end, limit: MEMORY_LIMIT });
    }
    const have = this.memory.buffer.byteLength;
    if (end > have) this.memory.grow(Math.ceil((end - have) / WASM_PAGE_SIZE));
    this.#refresh();
  }

  #setEntry(index: number, name: string, base: number, length: number, writable: boolean): void {
    this.#names[index] = name;
    const t = this.table;
    t[index * 4] = base;
    t[index * 4 + 1] = length;
    t[index * 4 + 2] = RegionFlag.READ | (writable ? RegionFlag.WRITE : 0);
    t[index * 4 + 3] = 0;
  }

  /**
   * Maps a new host region of `length` zeroed bytes and returns its index. Host regions keep
   * their bytes across runs.
   *
   * @example
   * const index = space.addRegion('config', 16, { writable: false });
   * space.regionBytes(index).set(configBytes);
   */
  addRegion(name: string, length: number, options: { readonly writable?: boolean } = {}): number {
    this.#checkIdle('addRegion');
    if (!Number.isInteger(length) || length < 0 || length > 0xffff_ffff) {
      throw new VmError(VM_BAD_ARGUMENT, { argument: 'region length', problem: `${length}` });
    }
    const index = this.#names.length;
    if (index >= MAX_REGIONS) {
      throw new VmError(VM_OUT_OF_MEMORY, { requested: index + 1, limit: MAX_REGIONS });
    }
    const base = this.#hostTop;
    this.#ensure(base + length);
    this.#hostTop = align8(base + length);
    this.bytes.fill(0, base, base + length);
    this.#setEntry(index, name, base, length, options.writable ?? true);
    return index;
  }

  /**
   * Serves region `index` (the metadata region, {@link REGION_MBUFF}, is what the context layouts
   * use) by `handler` until the next `layoutRun`: its table entry gets length 0 so that engines
   * take their fault path, which consults the handler.
   */
  mapSlowRegion(index: number, handler: SlowRegion): void {
    this.#checkIdle('mapSlowRegion');
    if (index !== REGION_MBUFF && (index < FIRST_HOST_REGION || index >= this.#names.length)) {
      throw new VmError(VM_BAD_ARGUMENT, { argument: 'region', problem: `no region ${index}` });
    }
    this.#slow[index] = handler;
    this.#setEntry(index, handler.name, this.table[index * 4], 0, false);
  }

  /** The handler serving region `index`, if it is a slow region. */
  slowRegion(index: number): SlowRegion | undefined {
    return this.#slow[index];
  }

  /**
   * The fault path of a load at `hi:lo` that did not fit the region table: the value a slow
   * region gives, or the access violation. Engines call it where they would throw.
   *
   * @throws VmError VM_ACCESS_VIOLATION when no slow region serves the load.
   */
  slowLoad(hi: number, lo: number, size: number, signed: boolean, pc: number | undefined): bigint {
    const h = hi >>> 0;
    const handler = h < MAX_REGIONS ? this.#slow[h] : undefined;
    const value = handler?.load(lo >>> 0, size, signed);
    if (value === undefined) throw this.accessViolation(h, lo, size, 'load', pc);
    return BigInt.asUintN(64, value);
  }

  /**
   * The fault path of a store at `hi:lo`: a slow region takes it, or it faults.
   *
   * @throws VmError VM_ACCESS_VIOLATION when no slow region accepts the store.
   */
  slowStore(hi: number, lo: number, size: number, value: bigint, pc: number | undefined): void {
    const h = hi >>> 0;
    const handler = h < MAX_REGIONS ? this.#slow[h] : undefined;
    if (!handler?.store(lo >>> 0, size, value))
      throw this.accessViolation(h, lo, size, 'store', pc);
  }

  /**
   * Changes the mapped length of the input region within the bytes `layoutRun` reserved for it
   * (packet head and tail adjustment). Allowed while a program runs: nothing moves.
   */
  setInputLength(length: number): void {
    if (!Number.isInteger(length) || length < 0 || length > this.#inputCapacity) {
      throw new VmError(VM_BAD_ARGUMENT, {
        argument: 'input length',
        problem: `${length} is outside 0..${this.#inputCapacity}`,
      });
    }
    this.table[REGION_INPUT * 4 + 1] = length;
  }

  /** Bytes reserved for the input region by the last `layoutRun`. */
  get inputCapacity(): number {
    return this.#inputCapacity;
  }

  /**
   * Lays out the per-run regions: `mbuffLength` bytes of metadata, then `inputLength` bytes of
   * input, both writable. Returns the physical bases. Zeroes the stack.
   */
  layoutRun(
    inputLength: number,
    mbuffLength: number,
    inputCapacity = inputLength,
  ): { input: number; mbuff: number } {
    this.#checkIdle('layoutRun');
    for (const [argument, n] of [
      ['input length', inputLength],
      ['mbuff length', mbuffLength],
      ['input capacity', inputCapacity],
    ] as const) {
      if (!Number.isInteger(n) || n < 0 || n > 0xffff_ffff) {
        throw new VmError(VM_BAD_ARGUMENT, { argument, problem: `${n}` });
      }
    }
    const mbuff = this.#hostTop;
    if (inputCapacity < inputLength) {
      throw new VmError(VM_BAD_ARGUMENT, {
        argument: 'input capacity',
        problem: `${inputCapacity} is less than the input length ${inputLength}`,
      });
    }
    const input = align8(mbuff + mbuffLength);
    this.#ensure(input + inputCapacity);
    this.#inputCapacity = inputCapacity;
    this.#slow[REGION_MBUFF] = undefined;
    this.#setEntry(REGION_MBUFF, 'mbuff', mbuff, mbuffLength, true);
    this.#setEntry(REGION_INPUT, 'input', input, inputLength, true);
    this.bytes.fill(0, STACK_BASE, STACK_BASE + STACK_SIZE);
    return { input, mbuff };
  }

  /** The number of regions (region 0 included); indices from here up to MAX_REGIONS fault. */
  get regionCount(): number {
    return this.#names.length;
  }

  /** One region, or `undefined` for region 0 and indices nothing maps. */
  region(index: number): Region | undefined {
    if (!Number.isInteger(index) || index <= REGION_NONE || index >= this.#names.length) {
      return undefined;
    }
    const t = this.table;
    const slow = this.#slow[index];
    return {
      index,
      name: this.#names[index],
      base: t[index * 4],
      length: slow ? slow.length : t[index * 4 + 1],
      writable: (t[index * 4 + 2] & RegionFlag.WRITE) !== 0,
      address: regionAddress(index),
    };
  }

  /** Every mapped region, for error messages and tools. */
  regions(): RegionSummary[] {
    const out: RegionSummary[] = [];
    for (let i = 1; i < this.#names.length; i++) {
      const r = this.region(i)!;
      out.push({ index: r.index, name: r.name, length: r.length, writable: r.writable });
    }
    return out;
  }

  /** A live view of one region's bytes (valid until the memory next grows). */
  regionBytes(index: number): Uint8Array {
    const r = this.region(index);
    if (!r)
      throw new VmError(VM_BAD_ARGUMENT, { argument: 'region', problem: `no region ${index}` });
    if (this.#slow[index]) {
      throw new VmError(VM_BAD_ARGUMENT, {
        argument: 'region',
        problem: `region ${index} (${r.name}) is served by host code and has no bytes`,
      });
    }
    return this.bytes.subarray(r.base, r.base + r.length);
  }

  /**
   * The error for a faulting access at the virtual address `hi:lo` (its two 32-bit halves).
   * Engines call this once they found that an access does not fit, to build the typed error.
   */
  accessViolation(
    hi: number,
    lo: number,
    size: number,
    access: 'load' | 'store',
    pc: number | undefined,
  ): VmError {
    const index = hi >>> 0;
    const address = (BigInt(index) << 32n) | BigInt(lo >>> 0);
    const r = this.region(index);
    const reason =
      r === undefined
        ? 'unmapped'
        : this.#slow[index] !== undefined
          ? 'not-allowed'
          : access === 'store' && !r.writable && (lo >>> 0) + size <= r.length
            ? 'read-only'
            : 'out-of-bounds';
    return new VmError(
      VM_ACCESS_VIOLATION,
      { access, address, size, reason, region: r?.name, regions: this.regions() },
      pc,
    );
  }

  /** The error for an atomic access at `hi:lo` that is not aligned to its size. */
  misalignedAtomic(hi: number, lo: number, size: number, pc: number | undefined): VmError {
    const address = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
    return new VmError(VM_MISALIGNED_ATOMIC, { address, size }, pc);
  }

  /**
   * The physical offset of the `size`-byte access at the virtual `address`, checked against its
   * region's bounds and permissions.
   *
   * @throws VmError VM_ACCESS_VIOLATION when the access does not fit.
   */
  translate(address: bigint, size: number, access: 'load' | 'store', pc?: number): number {
    const a = BigInt.asUintN(64, address);
    const hi = Number(a >> 32n);
    const lo = Number(a & 0xffff_ffffn);
    const t = this.table;
    if (hi >= MAX_REGIONS) throw this.accessViolation(hi, lo, size, access, pc);
    const e = hi * 4;
    if (lo + size > t[e + 1] || (access === 'store' && (t[e + 2] & RegionFlag.WRITE) === 0)) {
      throw this.accessViolation(hi, lo, size, access, pc);
    }
    return t[e] + lo;
  }

  /** Copies `length` bytes out from the virtual `address` (checked). */
  read(address: bigint, length: number, pc?: number): Uint8Array {
    const at = this.translate(address, length, 'load', pc);
    return this.bytes.slice(at, at + length);
  }

  /** Copies `data` in at the virtual `address` (checked, including write permission). */
  write(address: bigint, data: Uint8Array, pc?: number): void {
    const at = this.translate(address, data.length, 'store', pc);
    this.bytes.set(data, at);
  }
}
