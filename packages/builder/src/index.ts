/**
 * # @ebpf/builder
 *
 * Build eBPF programs from typed, chainable TypeScript calls instead of text or raw bytes. There
 * is one method for each instruction of the `@ebpf/isa` table, named after its mnemonic
 * (`add64`, `jeq32`, `ldxdw`, `stxw`, `atomicFetchAdd64`, `lddwMapFd`, `callLocal`, ...), and
 * `emit(name, operands)` adds any form by its table name.
 *
 * - Registers are `'r0'`..`'r10'` (exported as `r0`..`r10`; `reg(n)` for computed ones). A
 *   register as the second operand picks the reg form, a number the imm form.
 * - Mistakes TypeScript can see are type errors: `'r11'`, a register where an immediate belongs,
 *   a literal `r10` as a written register, a missing operand. The rest are `BuildError`s (codes
 *   4000-4999) with the instruction index: ranges (int32 immediates, int16 offsets, 64-bit lddw),
 *   labels defined twice or never, distances too long for their field, writing r10.
 * - Jumps, local calls and lddw code addresses take a label name or a raw signed distance.
 *   Labels resolve when you call `toInsns()` or `toBytes()`, so they may point either way.
 *
 * @example
 * import { ProgramBuilder, r0, r1, r2, r10 } from '@ebpf/builder';
 *
 * const bytes = new ProgramBuilder()
 *   .mov64(r0, 0)
 *   .ldxw(r2, r1, 0) // r2 = *(u32 *)(r1 + 0)
 *   .label('loop')
 *   .add64(r0, r2)
 *   .sub64(r2, 1)
 *   .jne(r2, 0, 'loop') // backwards: offset -3
 *   .stxdw(r10, -8, r0)
 *   .exit()
 *   .toBytes();
 *
 * @packageDocumentation
 */
export * from './builder-errors.js';
export { hasNextImm, labelField } from './form-roles.js';
export type { InstructionMethodName, InstructionMethods, Target } from './instruction-methods.js';
export {
  METHOD_ROWS,
  type MethodParameter,
  methodNameOf,
  methodParameters,
} from './method-signature.js';
export {
  type EmitOperands,
  ProgramBuilder,
  type ProgramBuilderOptions,
} from './program-builder.js';
export {
  isRegister,
  type Register,
  type RegisterIndex,
  r0,
  r1,
  r2,
  r3,
  r4,
  r5,
  r6,
  r7,
  r8,
  r9,
  r10,
  reg,
  registerIndex,
  type WritableRegister,
  type WrittenRegister,
} from './register.js';
