/**
 * Numbers every engine shares. They follow the Linux kernel's conventions (see
 * docs/ARCHITECTURE.md), so that programs written for the kernel behave the same here.
 */

/** Bytes in one instruction slot. `lddw` takes two slots. */
export const INSN_SIZE = 8;
/** Bytes of stack in one frame; r10 points at the frame's top. */
export const STACK_FRAME_SIZE = 512;
/** Deepest chain of BPF-to-BPF calls (frames in use at once, the entry frame included). */
export const MAX_CALL_DEPTH = 8;
/** Longest program a privileged kernel loader takes, in instruction slots. */
export const MAX_PROGRAM_INSNS = 1_000_000;
/** Longest chain of tail calls. */
export const MAX_TAIL_CALLS = 33;
/** Number of registers, r0 to r10. */
export const REGISTER_COUNT = 11;
/** The read-only frame pointer. */
export const FRAME_POINTER = 10;
/** Where a helper or a program puts its result. */
export const RETURN_REGISTER = 0;
/** Registers that carry a call's arguments, in order. */
export const ARGUMENT_REGISTERS = Object.freeze([1, 2, 3, 4, 5] as const);
/** Registers a call preserves for its caller. */
export const CALLEE_SAVED_REGISTERS = Object.freeze([6, 7, 8, 9] as const);
/** Helper calls clobber the argument registers: r1-r5 are unreadable afterwards until written. */
export const CALLER_SAVED_REGISTERS = ARGUMENT_REGISTERS;
