/**
 * Why compiled code stopped early. Compiled code writes the kind, the instruction index and up to
 * three details into its trap globals and executes `unreachable`; the JavaScript side catches
 * the WebAssembly trap, reads the globals and raises the interpreter's `VmError`.
 */
export const TrapKind = Object.freeze({
  /** VM_UNKNOWN_OPCODE at pc. */
  UNKNOWN_OPCODE: 0,
  /** VM_BAD_REGISTER, a = the register. */
  BAD_REGISTER: 1,
  /** VM_BAD_JUMP (outside), a = the target. */
  BAD_TARGET: 2,
  /** VM_UNRESOLVED_LDDW, a = the subtype. */
  UNRESOLVED_LDDW: 3,
  /** VM_UNSUPPORTED (call by BTF id). */
  UNSUPPORTED: 4,
  /** VM_CALL_DEPTH, a = the depth the call would reach. */
  CALL_DEPTH: 5,
  /** VM_BAD_JUMP (fell-off) at pc = the slot past the end. */
  FELL_OFF: 6,
  /** VM_BAD_JUMP (lddw-tail) at pc = the second half of an lddw. */
  LDDW_TAIL: 7,
  /** VM_MISALIGNED_ATOMIC, a:b = the address halves (lo, hi), c = the size. */
  MISALIGNED: 8,
  /** VM_BUDGET_EXHAUSTED; pc = a segment's first slot, a = instructions run from there. */
  BUDGET: 9,
  /** VM_ACCESS_VIOLATION on a load, a:b = the address halves, c = the size. */
  LOAD_FAULT: 10,
  /** VM_ACCESS_VIOLATION on a store or atomic, a:b = the address halves, c = the size. */
  STORE_FAULT: 11,
  /** Not an error: a packet load out of bounds ends the run with r0 = 0. */
  HALT: 12,
  /** Not an error: a helper requested a tail call at call depth 0; the run stops after it. */
  TAIL_CALL: 13,
  /** VM_UNSUPPORTED: a helper requested a tail call inside a local function. */
  TAIL_CALL_IN_FUNCTION: 14,
} as const);
/** One of the {@link TrapKind} codes. */
export type TrapKindCode = (typeof TrapKind)[keyof typeof TrapKind];
