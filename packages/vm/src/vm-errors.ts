/**
 * Error codes of `@ebpf/vm` (range 6000-6999) and the one error class, {@link VmError}. Both
 * engines (the interpreter and `@ebpf/jit`) throw exactly these, so a program faults with the
 * same code, instruction index and context on either. Never remove, change or reorder codes.
 */
import { describePc, EbpfError, type EbpfErrorContextOf, type EbpfErrorKind } from '@ebpf/isa';

/** A load, store or atomic touched memory outside every region, or wrote a read-only one. */
export const VM_ACCESS_VIOLATION = 6001;
/** The run used up its instruction budget. */
export const VM_BUDGET_EXHAUSTED = 6002;
/** A local call would nest deeper than the maximum call depth. */
export const VM_CALL_DEPTH = 6003;
/** An instruction the VM cannot execute (a custom verifier let it through). */
export const VM_UNKNOWN_OPCODE = 6004;
/** A call to a helper id nobody registered. */
export const VM_UNKNOWN_HELPER = 6005;
/** An `lddw` whose source subtype (map, variable, code address) no loader resolved. */
export const VM_UNRESOLVED_LDDW = 6006;
/** A helper threw something that is not an `EbpfError`, or returned something not an integer. */
export const VM_HELPER_FAILED = 6007;
/** `executeProgram`/`run` before any program was loaded. */
export const VM_NO_PROGRAM = 6008;
/** An instruction names a register beyond r10. */
export const VM_BAD_REGISTER = 6009;
/** Control left the program: a jump outside it, into the middle of an `lddw`, or past its end. */
export const VM_BAD_JUMP = 6010;
/** An atomic operation on an address that is not a multiple of its size. */
export const VM_MISALIGNED_ATOMIC = 6011;
/** `jitCompile`/`executeProgramJit`/`engine: 'jit'` without a JIT engine supplied. */
export const VM_NO_JIT = 6012;
/** An instruction form this VM does not run (`call` by BTF id). */
export const VM_UNSUPPORTED = 6013;
/** Regions would not fit in the linear memory (4 GiB), or a region table is full. */
export const VM_OUT_OF_MEMORY = 6014;
/** A host-side misuse of the API: bad offsets, a missing buffer, a bad helper id. */
export const VM_BAD_ARGUMENT = 6015;

/** One region as error messages describe it. */
export interface RegionSummary {
  readonly index: number;
  readonly name: string;
  readonly length: number;
  readonly writable: boolean;
}

declare module '@ebpf/isa' {
  interface EbpfErrorContexts {
    [VM_ACCESS_VIOLATION]: {
      readonly access: 'load' | 'store';
      /** The first virtual address of the access, unsigned. */
      readonly address: bigint;
      readonly size: number;
      /** Why: no such region, outside its bounds, or a store to a read-only region. */
      readonly reason: 'unmapped' | 'out-of-bounds' | 'read-only' | 'not-allowed';
      /** The region the address names, when it exists. */
      readonly region: string | undefined;
      readonly regions: readonly RegionSummary[];
    };
    [VM_BUDGET_EXHAUSTED]: { readonly budget: number; readonly insnCount: number };
    [VM_CALL_DEPTH]: { readonly depth: number; readonly max: number };
    [VM_UNKNOWN_OPCODE]: { readonly opcode: number };
    [VM_UNKNOWN_HELPER]: { readonly id: number };
    [VM_UNRESOLVED_LDDW]: { readonly src: number };
    [VM_HELPER_FAILED]: { readonly id: number; readonly reason: string };
    [VM_NO_PROGRAM]: Readonly<Record<string, never>>;
    [VM_BAD_REGISTER]: { readonly register: number };
    [VM_BAD_JUMP]: {
      readonly target: number;
      readonly reason: 'outside' | 'lddw-tail' | 'fell-off';
    };
    [VM_MISALIGNED_ATOMIC]: { readonly address: bigint; readonly size: number };
    [VM_NO_JIT]: Readonly<Record<string, never>>;
    [VM_UNSUPPORTED]: { readonly form: string };
    [VM_OUT_OF_MEMORY]: { readonly requested: number; readonly limit: number };
    [VM_BAD_ARGUMENT]: { readonly argument: string; readonly problem: string };
  }
}

/** Every code of this package. */
export type VmErrorCode =
  | typeof VM_ACCESS_VIOLATION
  | typeof VM_BUDGET_EXHAUSTED
  | typeof VM_CALL_DEPTH
  | typeof VM_UNKNOWN_OPCODE
  | typeof VM_UNKNOWN_HELPER
  | typeof VM_UNRESOLVED_LDDW
  | typeof VM_HELPER_FAILED
  | typeof VM_NO_PROGRAM
  | typeof VM_BAD_REGISTER
  | typeof VM_BAD_JUMP
  | typeof VM_MISALIGNED_ATOMIC
  | typeof VM_NO_JIT
  | typeof VM_UNSUPPORTED
  | typeof VM_OUT_OF_MEMORY
  | typeof VM_BAD_ARGUMENT;

const names: Record<VmErrorCode, string> = {
  [VM_ACCESS_VIOLATION]: 'VM_ACCESS_VIOLATION',
  [VM_BUDGET_EXHAUSTED]: 'VM_BUDGET_EXHAUSTED',
  [VM_CALL_DEPTH]: 'VM_CALL_DEPTH',
  [VM_UNKNOWN_OPCODE]: 'VM_UNKNOWN_OPCODE',
  [VM_UNKNOWN_HELPER]: 'VM_UNKNOWN_HELPER',
  [VM_UNRESOLVED_LDDW]: 'VM_UNRESOLVED_LDDW',
  [VM_HELPER_FAILED]: 'VM_HELPER_FAILED',
  [VM_NO_PROGRAM]: 'VM_NO_PROGRAM',
  [VM_BAD_REGISTER]: 'VM_BAD_REGISTER',
  [VM_BAD_JUMP]: 'VM_BAD_JUMP',
  [VM_MISALIGNED_ATOMIC]: 'VM_MISALIGNED_ATOMIC',
  [VM_NO_JIT]: 'VM_NO_JIT',
  [VM_UNSUPPORTED]: 'VM_UNSUPPORTED',
  [VM_OUT_OF_MEMORY]: 'VM_OUT_OF_MEMORY',
  [VM_BAD_ARGUMENT]: 'VM_BAD_ARGUMENT',
};

const kinds: Record<VmErrorCode, EbpfErrorKind> = {
  [VM_ACCESS_VIOLATION]: 'runtime',
  [VM_BUDGET_EXHAUSTED]: 'runtime',
  [VM_CALL_DEPTH]: 'runtime',
  [VM_UNKNOWN_OPCODE]: 'runtime',
  [VM_UNKNOWN_HELPER]: 'runtime',
  [VM_UNRESOLVED_LDDW]: 'runtime',
  [VM_HELPER_FAILED]: 'runtime',
  [VM_NO_PROGRAM]: 'usage',
  [VM_BAD_REGISTER]: 'runtime',
  [VM_BAD_JUMP]: 'runtime',
  [VM_MISALIGNED_ATOMIC]: 'runtime',
  [VM_NO_JIT]: 'usage',
  [VM_UNSUPPORTED]: 'runtime',
  [VM_OUT_OF_MEMORY]: 'load',
  [VM_BAD_ARGUMENT]: 'usage',
};

const hex = (n: bigint | number) => `0x${n.toString(16)}`;

function describeRegions(regions: readonly RegionSummary[]): string {
  return regions
    .map((r) => `${r.index}=${r.name}[${r.length}${r.writable ? '' : ', read-only'}]`)
    .join(' ');
}

const messages: { [C in VmErrorCode]: (ctx: EbpfErrorContextOf<C>) => string } = {
  [VM_ACCESS_VIOLATION]: (c) => {
    const why =
      c.reason === 'unmapped'
        ? `region ${Number(c.address >> 32n)} does not exist`
        : c.reason === 'read-only'
          ? `region ${c.region} is read-only`
          : c.reason === 'not-allowed'
            ? `${c.region} does not allow a ${c.size}-byte ${c.access} at offset ${Number(c.address & 0xffffffffn)}`
            : `outside region ${c.region}`;
    return `${c.access} of ${c.size} bytes at ${hex(c.address)}: ${why} (regions: ${describeRegions(c.regions)})`;
  },
  [VM_BUDGET_EXHAUSTED]: (c) =>
    `instruction budget of ${c.budget} exhausted after ${c.insnCount} instructions`,
  [VM_CALL_DEPTH]: (c) => `local call would nest ${c.depth} frames deep; at most ${c.max} allowed`,
  [VM_UNKNOWN_OPCODE]: (c) => `cannot execute opcode ${hex(c.opcode)}`,
  [VM_UNKNOWN_HELPER]: (c) => `call to helper ${c.id}, which is not registered`,
  [VM_UNRESOLVED_LDDW]: (c) =>
    `lddw with source subtype ${c.src} needs a loader to resolve it (only subtype 0 runs as is)`,
  [VM_HELPER_FAILED]: (c) => `helper ${c.id} failed: ${c.reason}`,
  [VM_NO_PROGRAM]: () => 'no program loaded',
  [VM_BAD_REGISTER]: (c) => `register r${c.register} does not exist`,
  [VM_BAD_JUMP]: (c) =>
    c.reason === 'fell-off'
      ? 'execution ran past the end of the program without an exit'
      : c.reason === 'lddw-tail'
        ? `jump to slot ${c.target}, the second half of an lddw`
        : `jump to slot ${c.target}, outside the program`,
  [VM_MISALIGNED_ATOMIC]: (c) =>
    `atomic access of ${c.size} bytes at ${hex(c.address)} is not ${c.size}-byte aligned`,
  [VM_NO_JIT]: () => 'no JIT engine was supplied (pass `jit` to the VM or call setJit)',
  [VM_UNSUPPORTED]: (c) => `${c.form} is not supported by this VM`,
  [VM_OUT_OF_MEMORY]: (c) =>
    `cannot map ${c.requested} bytes: the linear memory is limited to ${c.limit} bytes`,
  [VM_BAD_ARGUMENT]: (c) => `bad ${c.argument}: ${c.problem}`,
};

/**
 * A fault while running a program, or a misuse of the VM. `pc` is the instruction index (in
 * 8-byte slots) of the faulting instruction.
 *
 * @example
 * try { vm.executeProgram(packet); } catch (e) {
 *   if (isEbpfError(e, VM_ACCESS_VIOLATION)) console.log(e.pc, e.context.address, e.context.regions);
 * }
 */
export class VmError<C extends VmErrorCode = VmErrorCode> extends EbpfError<C> {
  constructor(code: C, context: EbpfErrorContextOf<C>, pc?: number, cause?: unknown) {
    const format = messages[code] as (ctx: EbpfErrorContextOf<C>) => string;
    super(kinds[code], code, names[code], `${describePc(pc)}${format(context)}`, context, {
      pc,
      cause,
    });
  }
}
