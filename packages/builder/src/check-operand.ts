/**
 * Run-time range checks for the numeric operands, each naming the form and operand it rejects.
 * TypeScript types say "number"; these say which numbers.
 */
import {
  BUILDER_IMMEDIATE_RANGE,
  BUILDER_OFFSET_RANGE,
  BuildError,
  type BuilderOperand,
} from './builder-errors.js';

const INT32_MIN = -0x8000_0000;
const INT32_MAX = 0x7fff_ffff;
const UINT32_MAX = 0xffff_ffff;
const INT64_MIN = -(1n << 63n);
const UINT64_MAX = (1n << 64n) - 1n;

/**
 * A 32-bit immediate: a signed int32, or its raw unsigned 32 bits (so `0xffffffff` means -1).
 * Returns the signed value, as the instruction's `imm` field holds it.
 */
export function checkImm32(
  value: unknown,
  form: string,
  operand: BuilderOperand,
  pc: number,
): number {
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < INT32_MIN ||
    value > UINT32_MAX
  ) {
    throw new BuildError(
      BUILDER_IMMEDIATE_RANGE,
      { form, operand, value, min: BigInt(INT32_MIN), max: BigInt(UINT32_MAX) },
      pc,
    );
  }
  return value | 0;
}

/** A signed 32-bit distance (a jump or call offset held in the immediate). */
export function checkRelative32(value: unknown, form: string, pc: number): number {
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < INT32_MIN ||
    value > INT32_MAX
  ) {
    throw new BuildError(
      BUILDER_IMMEDIATE_RANGE,
      { form, operand: 'imm', value, min: BigInt(INT32_MIN), max: BigInt(INT32_MAX) },
      pc,
    );
  }
  return value;
}

/** A signed 16-bit offset (memory displacement or jump distance). */
export function checkOffset16(value: unknown, form: string, pc: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < -0x8000 || value > 0x7fff) {
    throw new BuildError(BUILDER_OFFSET_RANGE, { form, value }, pc);
  }
  return value;
}

/**
 * lddw's 64-bit immediate, as a bigint or a safe-integer number, signed or unsigned
 * (-2^63..2^64-1). Returns the unsigned 64-bit value, as decoded instructions carry it.
 */
export function checkImm64(value: unknown, form: string, pc: number): bigint {
  let big: bigint | undefined;
  if (typeof value === 'bigint') big = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) big = BigInt(value);
  if (big === undefined || big < INT64_MIN || big > UINT64_MAX) {
    throw new BuildError(
      BUILDER_IMMEDIATE_RANGE,
      { form, operand: 'imm', value, min: INT64_MIN, max: UINT64_MAX },
      pc,
    );
  }
  return BigInt.asUintN(64, big);
}
