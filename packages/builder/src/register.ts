/**
 * Registers as the builder takes them: the strings `'r0'`..`'r10'`. Strings rather than numbers
 * so that a register and an immediate never look alike at run time: `add64(r1, r2)` adds a
 * register, `add64(r1, 2)` adds the number 2, and the form (reg or imm) follows from the operand.
 */
import { REGISTER_COUNT } from '@ebpf/isa';
import { BUILDER_INVALID_REGISTER, BuildError, type BuilderOperand } from './builder-errors.js';

/** The numbers of the eleven registers. */
export type RegisterIndex = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10;

/** A register operand: `'r0'`..`'r10'`. `'r11'` is a type error. */
export type Register = `r${RegisterIndex}`;

/** Every register but the read-only frame pointer r10. */
export type WritableRegister = Exclude<Register, 'r10'>;

/**
 * A register the instruction writes: any register but a literal `'r10'`, which is a type error.
 * A register whose value is only known at run time (typed `Register`) is checked when emitted.
 */
export type WrittenRegister<R extends Register> = [R] extends ['r10'] ? never : R;

/** Register 0: return values of helpers, calls and the program. */
export const r0 = 'r0';
/** Register 1: first argument (the context on entry). */
export const r1 = 'r1';
/** Register 2: second argument. */
export const r2 = 'r2';
/** Register 3: third argument. */
export const r3 = 'r3';
/** Register 4: fourth argument. */
export const r4 = 'r4';
/** Register 5: fifth argument. */
export const r5 = 'r5';
/** Register 6: callee-saved. */
export const r6 = 'r6';
/** Register 7: callee-saved. */
export const r7 = 'r7';
/** Register 8: callee-saved. */
export const r8 = 'r8';
/** Register 9: callee-saved. */
export const r9 = 'r9';
/** Register 10: the read-only frame pointer. */
export const r10 = 'r10';

const NAME = /^r(?:[0-9]|10)$/;

/** Whether `value` is a register operand (`'r0'`..`'r10'`). */
export function isRegister(value: unknown): value is Register {
  return typeof value === 'string' && NAME.test(value);
}

/**
 * The register with number `index`, checked at run time: for registers chosen by a computation.
 *
 * @example
 * reg(3); // 'r3'
 * reg(11); // throws BuildError BUILDER_INVALID_REGISTER
 */
export function reg(index: number): Register {
  if (!Number.isInteger(index) || index < 0 || index >= REGISTER_COUNT) {
    throw new BuildError(BUILDER_INVALID_REGISTER, {
      form: undefined,
      operand: undefined,
      value: index,
    });
  }
  return `r${index}` as Register;
}

/** The number of a register operand, e.g. `registerIndex('r7') === 7`. */
export function registerIndex(register: Register): RegisterIndex {
  return Number(register.slice(1)) as RegisterIndex;
}

/** Checks an operand is a register and returns its number; throws with the form and operand named. */
export function checkRegister(
  value: unknown,
  form: string,
  operand: BuilderOperand,
  pc: number,
): RegisterIndex {
  if (!isRegister(value)) {
    throw new BuildError(BUILDER_INVALID_REGISTER, { form, operand, value }, pc);
  }
  return registerIndex(value);
}
