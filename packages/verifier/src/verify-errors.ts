/**
 * Error codes of `@ebpf/verifier` (range 5000-5999) and the one error class, {@link VerifyError},
 * that carries every problem a verifier found. Never remove, change or reorder codes: add new
 * ones at the end.
 *
 * Codes 5001-5099 are structural (what the bytes say); 5100-5199 come from the dataflow
 * verifier `strict` (what the program does).
 */
import { describePc, EbpfError } from '@ebpf/isa';
import type { VerifyProblem } from './verifier.js';

// --- structural ----------------------------------------------------------------------------
/** The byte length is not a multiple of 8. */
export const VERIFY_PROGRAM_LENGTH = 5001;
/** The program has no instruction. */
export const VERIFY_EMPTY_PROGRAM = 5002;
/** More than MAX_PROGRAM_INSNS slots. */
export const VERIFY_PROGRAM_TOO_LONG = 5003;
/** An opcode byte (or a discriminating field) that names no instruction. */
export const VERIFY_UNKNOWN_OPCODE = 5004;
/** A known instruction outside the host's CPU version or conformance groups. */
export const VERIFY_OPCODE_NOT_ENABLED = 5005;
/** A field that is neither an operand nor a discriminator is not zero. */
export const VERIFY_RESERVED_FIELD = 5006;
/** A register number above r10. */
export const VERIFY_BAD_REGISTER = 5007;
/** An instruction writes the read-only frame pointer r10. */
export const VERIFY_WRITE_FRAME_POINTER = 5008;
/** `lddw` in the last slot, without its second half. */
export const VERIFY_LDDW_TRUNCATED = 5009;
/** The second slot of `lddw` holds something other than the upper immediate. */
export const VERIFY_LDDW_SECOND_SLOT = 5010;
/** `lddw` with a source subtype that does not exist. */
export const VERIFY_LDDW_SUBTYPE = 5011;
/** A jump whose target is outside the program. */
export const VERIFY_JUMP_OUT_OF_RANGE = 5012;
/** A jump or call into the second slot of an `lddw`. */
export const VERIFY_JUMP_INTO_LDDW = 5013;
/** A local call whose target is outside the program. */
export const VERIFY_CALL_OUT_OF_RANGE = 5014;
/** A jump from one subprogram into another. */
export const VERIFY_JUMP_ACROSS_SUBPROGRAM = 5015;
/** A byte swap with a width other than 16, 32 or 64. */
export const VERIFY_BAD_ENDIAN_WIDTH = 5016;
/** A shift by an immediate not below the operand width. */
export const VERIFY_SHIFT_RANGE = 5017;
/** A call to a helper id the host did not register. */
export const VERIFY_UNKNOWN_HELPER = 5018;
/** A path runs past the last instruction of the program or of a subprogram. */
export const VERIFY_FALLS_OFF_END = 5019;
/** Instructions from which no `exit` can be reached (an inescapable loop). */
export const VERIFY_NO_EXIT = 5020;
/** Division or modulo by an immediate zero (only when the host asks to refuse it, as Linux does). */
export const VERIFY_DIV_BY_ZERO_IMM = 5021;

// --- strict (dataflow) ---------------------------------------------------------------------
/** An instruction no path from the entry reaches. */
export const VERIFY_UNREACHABLE = 5101;
/** A local call that (directly or not) calls itself. */
export const VERIFY_RECURSION = 5102;
/** Local calls nested deeper than the host allows. */
export const VERIFY_CALL_DEPTH = 5103;
/** The stack frames of one call chain together exceed the limit. */
export const VERIFY_STACK_DEPTH = 5104;
/** A loop, where the host rejects loops. */
export const VERIFY_LOOP = 5105;
/** A loop whose bound could not be proven (and no budget covers it). */
export const VERIFY_UNBOUNDED_LOOP = 5106;
/** Reading a register that holds no value on some path. */
export const VERIFY_UNINIT_REGISTER = 5107;
/** Reading stack bytes never written on some path. */
export const VERIFY_UNINIT_STACK = 5108;
/** `exit` while r0 holds no value, or a pointer. */
export const VERIFY_BAD_RETURN = 5109;
/** A memory access through something that is not a pointer. */
export const VERIFY_NOT_A_POINTER = 5110;
/** A memory access outside its region (or not proven inside it). */
export const VERIFY_OUT_OF_BOUNDS = 5111;
/** A packet access not covered by a `data + n <= data_end` check. */
export const VERIFY_PACKET_UNCHECKED = 5112;
/** A dereference of a pointer that may be null (map lookup result not checked). */
export const VERIFY_NULL_DEREF = 5113;
/** Storing a pointer anywhere but the stack. */
export const VERIFY_POINTER_STORE = 5114;
/** Pointer arithmetic the verifier forbids (ptr+ptr, multiply, bitwise, 32-bit, on null...). */
export const VERIFY_POINTER_ARITHMETIC = 5115;
/** Comparing a pointer with something it cannot meaningfully be compared with. */
export const VERIFY_POINTER_COMPARISON = 5116;
/** A write to a read-only region (the context unless declared writable, packet end). */
export const VERIFY_READ_ONLY = 5117;
/** A helper argument that does not match its prototype. */
export const VERIFY_HELPER_ARGUMENT = 5118;
/** A variable offset where only constant offsets are allowed (context accesses). */
export const VERIFY_VARIABLE_OFFSET = 5119;
/** Registers hold values of incompatible kinds on paths that meet here, and one is used. */
export const VERIFY_MIXED_VALUE = 5120;
/** Reading part of a spilled pointer from the stack. */
export const VERIFY_PARTIAL_POINTER = 5121;
/** An `lddw` that names a map the host did not declare. */
export const VERIFY_UNKNOWN_MAP = 5122;
/** A legacy packet load (LD_ABS/LD_IND) without the context in r6. */
export const VERIFY_PACKET_LOAD_CONTEXT = 5123;
/** An indirect call (`callx`) whose target is not a known constant. */
export const VERIFY_INDIRECT_CALL = 5124;
/** The analysis gave up: too many states (the program is too complex to verify). */
export const VERIFY_TOO_COMPLEX = 5125;
/** An atomic operation on an address that is not a multiple of its size. */
export const VERIFY_MISALIGNED_ATOMIC = 5126;
/** A reference a helper acquired (a ring-buffer record) is not released on some path to `exit`. */
export const VERIFY_UNRELEASED_REFERENCE = 5127;
/** A releasing helper (ring-buffer submit/discard) given something that is not a held reference. */
export const VERIFY_BAD_RELEASE = 5128;

/** Every verifier code by its symbolic name. */
export const VERIFY_CODES = Object.freeze({
  VERIFY_PROGRAM_LENGTH,
  VERIFY_EMPTY_PROGRAM,
  VERIFY_PROGRAM_TOO_LONG,
  VERIFY_UNKNOWN_OPCODE,
  VERIFY_OPCODE_NOT_ENABLED,
  VERIFY_RESERVED_FIELD,
  VERIFY_BAD_REGISTER,
  VERIFY_WRITE_FRAME_POINTER,
  VERIFY_LDDW_TRUNCATED,
  VERIFY_LDDW_SECOND_SLOT,
  VERIFY_LDDW_SUBTYPE,
  VERIFY_JUMP_OUT_OF_RANGE,
  VERIFY_JUMP_INTO_LDDW,
  VERIFY_CALL_OUT_OF_RANGE,
  VERIFY_JUMP_ACROSS_SUBPROGRAM,
  VERIFY_BAD_ENDIAN_WIDTH,
  VERIFY_SHIFT_RANGE,
  VERIFY_UNKNOWN_HELPER,
  VERIFY_FALLS_OFF_END,
  VERIFY_NO_EXIT,
  VERIFY_DIV_BY_ZERO_IMM,
  VERIFY_UNREACHABLE,
  VERIFY_RECURSION,
  VERIFY_CALL_DEPTH,
  VERIFY_STACK_DEPTH,
  VERIFY_LOOP,
  VERIFY_UNBOUNDED_LOOP,
  VERIFY_UNINIT_REGISTER,
  VERIFY_UNINIT_STACK,
  VERIFY_BAD_RETURN,
  VERIFY_NOT_A_POINTER,
  VERIFY_OUT_OF_BOUNDS,
  VERIFY_PACKET_UNCHECKED,
  VERIFY_NULL_DEREF,
  VERIFY_POINTER_STORE,
  VERIFY_POINTER_ARITHMETIC,
  VERIFY_POINTER_COMPARISON,
  VERIFY_READ_ONLY,
  VERIFY_HELPER_ARGUMENT,
  VERIFY_VARIABLE_OFFSET,
  VERIFY_MIXED_VALUE,
  VERIFY_PARTIAL_POINTER,
  VERIFY_UNKNOWN_MAP,
  VERIFY_PACKET_LOAD_CONTEXT,
  VERIFY_INDIRECT_CALL,
  VERIFY_TOO_COMPLEX,
  VERIFY_MISALIGNED_ATOMIC,
  VERIFY_UNRELEASED_REFERENCE,
  VERIFY_BAD_RELEASE,
} as const);

/** The symbolic name of a verifier code. */
export type VerifyCodeName = keyof typeof VERIFY_CODES;
/** A verifier code. */
export type VerifyCode = (typeof VERIFY_CODES)[VerifyCodeName];

const NAMES: ReadonlyMap<number, VerifyCodeName> = new Map(
  Object.entries(VERIFY_CODES).map(([name, code]) => [code, name as VerifyCodeName]),
);

/** The symbolic name of a verifier code (`VERIFY_UNKNOWN` for a number that is none). */
export function verifyCodeName(code: number): string {
  return NAMES.get(code) ?? 'VERIFY_UNKNOWN';
}

/** The code `VerifyError` itself carries: the program was refused. */
export const VERIFY_REFUSED = 5000;

declare module '@ebpf/isa' {
  interface EbpfErrorContexts {
    [VERIFY_REFUSED]: {
      /** The verifier that refused. */
      readonly verifier: string;
      /** Every problem it found, in program order. */
      readonly problems: readonly VerifyProblem[];
    };
  }
}

/**
 * A program a verifier refused. `code` is {@link VERIFY_REFUSED}; `problems` (also in
 * `context.problems`) lists every problem with its own stable code, and `pc` is the first
 * problem's instruction.
 *
 * @example
 * try { verifyOrThrow(structural, { bytes, host: {} }); } catch (e) {
 *   if (e instanceof VerifyError) for (const p of e.problems) console.log(p.pc, p.codeName);
 * }
 */
export class VerifyError extends EbpfError<typeof VERIFY_REFUSED> {
  readonly problems: readonly VerifyProblem[];

  constructor(verifier: string, problems: readonly VerifyProblem[]) {
    const first = problems[0];
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    const what = first
      ? `${describePc(first.pc)}${first.message}${first.text ? ` [${first.text}]` : ''}${more}`
      : 'refused without a reason';
    super(
      'verify',
      VERIFY_REFUSED,
      'VERIFY_REFUSED',
      `verifier '${verifier}' refused the program: ${what}`,
      { verifier, problems },
      { pc: first?.pc },
    );
    this.problems = problems;
  }
}
