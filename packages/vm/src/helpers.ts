/**
 * Helpers: host functions a program calls with `call N` (or `callx` through a register). A helper
 * is a plain function of the five argument registers r1-r5, given as unsigned 64-bit `bigint`s,
 * that returns the new r0 (a `bigint`, or an integer `number`, both taken modulo 2^64). Its last
 * argument is a {@link HelperContext} through which it reads and writes program memory by
 * virtual address, every access checked like the program's own.
 *
 * BigInt arguments cost a few hundred nanoseconds per call, which matters little next to what a
 * helper does; the interpreter keeps its own registers as 32-bit halves.
 */

import { isEbpfError } from '@ebpf/isa';
import type { HelperPrototype } from '@ebpf/verifier';
import { type AddressSpace, REGION_INPUT, regionAddress } from './address-space.js';
import type { ProgramContext } from './program-context.js';
import { VM_BAD_ARGUMENT, VM_HELPER_FAILED, VM_UNKNOWN_HELPER, VmError } from './vm-errors.js';

/** What a helper can do besides computing: touch program memory, find regions. */
export interface HelperContext {
  /** The instruction index of the call. */
  readonly pc: number;
  /** The helper id being called. */
  readonly id: number;
  /** The address space (regions, the linear memory). */
  readonly space: AddressSpace;
  /** Copies `length` bytes from the virtual `address` (checked). */
  read(address: bigint, length: number): Uint8Array;
  /** Writes `data` at the virtual `address` (checked, including write permission). */
  write(address: bigint, data: Uint8Array): void;
  /** A live, checked view of `length` bytes at `address` (valid until the helper returns). */
  view(address: bigint, length: number, access?: 'load' | 'store'): Uint8Array;
  /** The virtual address of `offset` in region `index`, to hand back to the program. */
  addressOf(index: number, offset?: number): bigint;
  /**
   * The run's program context (XDP, socket filter, tc), for helpers that work on the packet
   * (`bpf_xdp_adjust_head`...); `undefined` for the rbpf-style layouts.
   */
  readonly programContext: ProgramContext | undefined;
  /**
   * `bpf_tail_call`'s engine side: asks the VM to replace the running program by `target` (a
   * program handle of this VM, e.g. from a program-array map) once the helper returns, with r1 =
   * this call's r1 (the context). Returns 0 when the tail call will happen, or a negative errno
   * when it cannot (not a program of this VM, another program type, or the chain already made
   * `MAX_TAIL_CALLS` calls); the program then continues after the call, as in the kernel.
   */
  tailCall(target: unknown): number;
  /** Tail calls the current chain has taken so far. */
  readonly tailCallCount: number;
  /**
   * The packet of this run: its first byte's virtual address and its length (`data` to
   * `data_end` for the context layouts, else the whole input region).
   */
  packet(): { readonly address: bigint; readonly length: number };
  /**
   * Moves an edge of the XDP buffer (`'head'`: data, `'tail'`: data_end, `'meta'`: data_meta) by
   * `delta` bytes with the kernel's checks; 0, or a negative errno (-EINVAL outside XDP).
   */
  adjustXdp(edge: 'head' | 'tail' | 'meta', delta: number): number;
}

/** What the VM installs in its helper table for one run (context and tail-call hook). */
export interface HelperRunHooks {
  readonly programContext: ProgramContext | undefined;
  readonly tailCallCount: number;
  tailCall(target: unknown, ctx: bigint, pc: number): number;
}

/**
 * A helper function.
 *
 * @example
 * const bpfTracePrintk: Helper = (fmt, len, _a, _b, _c, ctx) => {
 *   console.log(new TextDecoder().decode(ctx.read(fmt, Number(len))));
 *   return 0n;
 * };
 */
export type Helper = (
  r1: bigint,
  r2: bigint,
  r3: bigint,
  r4: bigint,
  r5: bigint,
  context: HelperContext,
) => bigint | number;

/** A registered helper. */
export interface HelperEntry {
  readonly id: number;
  readonly fn: Helper;
  readonly prototype: HelperPrototype | undefined;
}

/** The identity helper (returns r1), which the conformance suite expects as helper 5. */
export const identityHelper: Helper = (r1) => r1;

/**
 * Helpers by id, and the one way both engines call them: {@link HelperTable.call} with the
 * argument registers as halves, returning r0 as halves.
 */
export class HelperTable {
  readonly #byId = new Map<number, HelperEntry>();
  readonly #space: AddressSpace;
  /**
   * Set when a helper asked for a tail call. Engines check it after every helper call and, when
   * set, stop the program at once and report `tailCall: true` (the VM then starts the target).
   */
  tailCallPending = false;
  /** The current run's hooks (installed by the VM around each run). */
  hooks: HelperRunHooks | undefined;

  constructor(space: AddressSpace) {
    this.#space = space;
  }

  /** Registers (or replaces) helper `id`, a 32-bit unsigned integer. */
  register(id: number, fn: Helper, prototype?: HelperPrototype): void {
    if (!Number.isInteger(id) || id < 0 || id > 0xffff_ffff) {
      throw new VmError(VM_BAD_ARGUMENT, { argument: 'helper id', problem: `${id} is not a u32` });
    }
    if (typeof fn !== 'function') {
      throw new VmError(VM_BAD_ARGUMENT, { argument: 'helper', problem: 'not a function' });
    }
    this.#byId.set(id, { id, fn, prototype });
  }

  /** Removes helper `id`; returns whether it was registered. */
  unregister(id: number): boolean {
    return this.#byId.delete(id);
  }

  /** The helper registered as `id`. */
  get(id: number): HelperEntry | undefined {
    return this.#byId.get(id);
  }

  /** Whether `id` is registered. */
  has(id: number): boolean {
    return this.#byId.has(id);
  }

  /** Every registered helper, by id, with its prototype (what a verifier's host declaration wants). */
  prototypes(): Map<number, HelperPrototype | undefined> {
    return new Map([...this.#byId].map(([id, e]) => [id, e.prototype]));
  }

  #context(id: number, pc: number, r1: bigint): HelperContext {
    const space = this.#space;
    const hooks = this.hooks;
    const context = hooks?.programContext;
    return {
      programContext: context,
      get tailCallCount() {
        return hooks?.tailCallCount ?? 0;
      },
      packet: () =>
        context
          ? { address: context.data, length: Number(context.dataEnd - context.data) }
          : { address: regionAddress(REGION_INPUT), length: space.region(REGION_INPUT)!.length },
      adjustXdp: (edge, delta) => {
        const op =
          edge === 'head'
            ? context?.adjustHead
            : edge === 'tail'
              ? context?.adjustTail
              : context?.adjustMeta;
        return op ? op.call(context, delta) : -22;
      },
      tailCall: (target) => {
        if (this.tailCallPending) return -22;
        const result = hooks ? hooks.tailCall(target, r1, pc) : -22;
        if (result === 0) this.tailCallPending = true;
        return result;
      },
      pc,
      id,
      space,
      read: (address, length) => space.read(address, length, pc),
      write: (address, data) => space.write(address, data, pc),
      view: (address, length, access = 'load') => {
        const at = space.translate(address, length, access, pc);
        return space.bytes.subarray(at, at + length);
      },
      addressOf: (index, offset = 0) => regionAddress(index, offset),
    };
  }

  /**
   * Calls helper `id` (at instruction `pc`) with r1-r5 and returns r0 as an unsigned 64-bit
   * bigint.
   *
   * @throws VmError VM_UNKNOWN_HELPER, VM_HELPER_FAILED; an `EbpfError` the helper throws passes
   * through unchanged.
   */
  call(id: number, pc: number, r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint): bigint {
    const entry = this.#byId.get(id);
    if (!entry) throw new VmError(VM_UNKNOWN_HELPER, { id }, pc);
    let result: unknown;
    try {
      result = entry.fn(r1, r2, r3, r4, r5, this.#context(id, pc, r1));
    } catch (e) {
      if (isEbpfError(e)) throw e;
      const reason = e instanceof Error ? e.message : String(e);
      throw new VmError(VM_HELPER_FAILED, { id, reason }, pc, e);
    }
    // One BigInt.asUintN on one merged value: TurboFan in Node 20 (V8 11.3) crashes when it
    // inlines this into the interpreter loop with two asUintN results meeting in a phi.
    let value: bigint;
    if (typeof result === 'bigint') value = result;
    else if (typeof result === 'number' && Number.isSafeInteger(result)) value = BigInt(result);
    else return this.#badResult(id, result, pc);
    return BigInt.asUintN(64, value);
  }

  #badResult(id: number, result: unknown, pc: number): never {
    throw new VmError(
      VM_HELPER_FAILED,
      {
        id,
        reason: `returned ${typeof result === 'number' ? result : typeof result}, not an integer`,
      },
      pc,
    );
  }
}
