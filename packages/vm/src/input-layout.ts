/**
 * Input layouts: how a run's input reaches the program, one strategy per rbpf VM kind. A layout
 * lays out the per-run regions, copies the caller's buffers in, says what r1 holds, and copies
 * the buffers back out after the run (so the program's writes show in the caller's buffers).
 */
import type { HostDeclaration } from '@ebpf/verifier';
import {
  type AddressSpace,
  INPUT_ADDRESS,
  MBUFF_ADDRESS,
  REGION_INPUT,
  REGION_MBUFF,
} from './address-space.js';
import type { ContextType, ProgramContext } from './program-context.js';
import { VM_BAD_ARGUMENT, VmError } from './vm-errors.js';

/** The buffers of one run. Which ones a layout needs depends on the layout. */
export interface RunInput {
  /** The packet / input memory (region 2). */
  readonly mem?: Uint8Array | undefined;
  /** The metadata buffer (region 3), for the `mbuff` layout. */
  readonly mbuff?: Uint8Array | undefined;
  /**
   * Program-context fields by their kernel names, for the context layouts (`xdp`:
   * `ingress_ifindex`, `rx_queue_index`, `egress_ifindex`; `__sk_buff`: `mark`, `priority`,
   * `ifindex`, `cb0`...). Values are taken modulo 2^32 (2^64 for 8-byte fields).
   */
  readonly ctx?: Readonly<Record<string, number | bigint>> | undefined;
}

/** A prepared run: r1's value, and what to do once the program stops. */
export interface EnteredInput {
  readonly r1: bigint;
  /** The program context of the run (context layouts only), which helpers reach. */
  readonly context?: ProgramContext;
  /**
   * Copies writable buffers back to the caller. Context layouts return the packet as it stands
   * after the run (its length may have changed).
   */
  leave(): Uint8Array | undefined;
}

/** An input-layout strategy. */
export interface InputLayout {
  readonly name: 'mbuff' | 'fixed-mbuff' | 'raw' | 'no-data' | ContextType;
  /** What r1 points to, for the verifier's host declaration. */
  readonly context: HostDeclaration['context'];
  /** Lays out the regions for `input` and copies it in. */
  enter(space: AddressSpace, input: RunInput): EnteredInput;
}

/** Whether `mem` already is the input region's bytes (the caller filled it in place). */
function isInPlace(space: AddressSpace, mem: Uint8Array, base: number): boolean {
  return mem.buffer === space.memory.buffer && mem.byteOffset === base;
}

function copyIn(space: AddressSpace, mem: Uint8Array | undefined, mbuffLength: number) {
  const length = mem?.length ?? 0;
  let inPlace = mem !== undefined && isInPlace(space, mem, space.region(REGION_INPUT)!.base);
  // The input region stays where it was as long as the metadata length does not change, which is
  // what a caller who filled `inputBuffer(n)` in place relies on. When it would move, keep a copy.
  const saved =
    inPlace && space.region(REGION_MBUFF)!.length !== mbuffLength ? mem!.slice() : undefined;
  const { input, mbuff } = space.layoutRun(length, mbuffLength);
  if (saved) inPlace = false;
  const source = saved ?? mem;
  if (source && !inPlace) space.bytes.set(source, input);
  return { input, mbuff, inPlace };
}

function copyOut(
  space: AddressSpace,
  mem: Uint8Array | undefined,
  input: number,
  inPlace: boolean,
) {
  if (mem && !inPlace && mem.length > 0) mem.set(space.bytes.subarray(input, input + mem.length));
}

/**
 * rbpf's `EbpfVmMbuff`: r1 points to a metadata buffer the caller fills (typically with the
 * packet's start and end, `INPUT_ADDRESS` and `INPUT_ADDRESS + mem.length`).
 */
export function mbuffLayout(): InputLayout {
  return {
    name: 'mbuff',
    context: undefined,
    enter(space, { mem, mbuff }) {
      const { input, mbuff: mbuffBase, inPlace } = copyIn(space, mem, mbuff?.length ?? 0);
      if (mbuff) space.bytes.set(mbuff, mbuffBase);
      return {
        r1: MBUFF_ADDRESS,
        leave() {
          copyOut(space, mem, input, inPlace);
          if (mbuff) mbuff.set(space.bytes.subarray(mbuffBase, mbuffBase + mbuff.length));
          return undefined;
        },
      };
    },
  };
}

/**
 * rbpf's `EbpfVmFixedMbuff`: the VM owns a zeroed metadata buffer and, before every run, writes
 * the packet's start and end addresses (64-bit little-endian) at `dataOffset` and `dataEndOffset`.
 */
export function fixedMbuffLayout(dataOffset: number, dataEndOffset: number): InputLayout {
  for (const [argument, v] of [
    ['dataOffset', dataOffset],
    ['dataEndOffset', dataEndOffset],
  ] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) {
      throw new VmError(VM_BAD_ARGUMENT, {
        argument,
        problem: `${v} is not an offset in 0..65535`,
      });
    }
  }
  const size = Math.max(dataOffset, dataEndOffset) + 8;
  return {
    name: 'fixed-mbuff',
    context: { size, packetData: dataOffset, packetEnd: dataEndOffset, writable: true },
    enter(space, { mem }) {
      const { input, mbuff, inPlace } = copyIn(space, mem, size);
      const view = space.view;
      for (let i = 0; i < size; i++) view.setUint8(mbuff + i, 0);
      view.setBigUint64(mbuff + dataOffset, INPUT_ADDRESS, true);
      view.setBigUint64(mbuff + dataEndOffset, INPUT_ADDRESS + BigInt(mem?.length ?? 0), true);
      return {
        r1: MBUFF_ADDRESS,
        leave: () => {
          copyOut(space, mem, input, inPlace);
          return undefined;
        },
      };
    },
  };
}

/** rbpf's `EbpfVmRaw`: r1 points to the input itself. */
export function rawLayout(): InputLayout {
  return {
    name: 'raw',
    context: undefined,
    enter(space, { mem }) {
      const { input, inPlace } = copyIn(space, mem, 0);
      return {
        r1: INPUT_ADDRESS,
        leave: () => {
          copyOut(space, mem, input, inPlace);
          return undefined;
        },
      };
    },
  };
}

/** rbpf's `EbpfVmNoData`: no input; r1 is 0. */
export function noDataLayout(): InputLayout {
  return {
    name: 'no-data',
    context: undefined,
    enter(space) {
      space.layoutRun(0, 0);
      return { r1: 0n, leave: () => undefined };
    },
  };
}
