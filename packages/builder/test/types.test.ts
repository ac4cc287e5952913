/**
 * Mistakes TypeScript can see are type errors (`npx tsc -p tsconfig.tests.json` fails if any
 * `@ts-expect-error` below stops being an error), and each is also refused at run time, for
 * callers without types.
 */
import {
  BUILDER_BAD_OPERAND,
  BUILDER_IMMEDIATE_RANGE,
  BUILDER_INVALID_REGISTER,
  BUILDER_WRITES_FRAME_POINTER,
  ProgramBuilder,
  type Register,
  r1,
  r2,
  r10,
  reg,
} from '@ebpf/builder';
import { isEbpfError } from '@ebpf/isa';
import { describe, expect, it } from 'vitest';

function codeOf(action: () => unknown): number | undefined {
  try {
    action();
  } catch (e) {
    return isEbpfError(e) ? e.code : -1;
  }
  return undefined;
}

describe('type errors that are also run-time errors', () => {
  const b = new ProgramBuilder();

  it('rejects registers beyond r10', () => {
    // @ts-expect-error r11 is no register
    expect(codeOf(() => b.add64('r11', 1))).toBe(BUILDER_INVALID_REGISTER);
    // @ts-expect-error r11 is no register
    expect(codeOf(() => b.emit('add64_imm', { dst: 'r11', imm: 1 }))).toBe(
      BUILDER_INVALID_REGISTER,
    );
    // @ts-expect-error a register operand is a string such as 'r2', not a number
    expect(codeOf(() => b.ldxw(r1, 2, 0))).toBe(BUILDER_INVALID_REGISTER);
  });

  it('rejects writing the frame pointer r10', () => {
    // @ts-expect-error r10 is read-only
    expect(codeOf(() => b.mov64(r10, 1))).toBe(BUILDER_WRITES_FRAME_POINTER);
    // @ts-expect-error r10 is read-only
    expect(codeOf(() => b.ldxdw(r10, r1, 0))).toBe(BUILDER_WRITES_FRAME_POINTER);
    // @ts-expect-error r10 is read-only
    expect(codeOf(() => b.lddw(r10, 1n))).toBe(BUILDER_WRITES_FRAME_POINTER);
    // @ts-expect-error r10 is read-only
    expect(codeOf(() => b.be16(r10))).toBe(BUILDER_WRITES_FRAME_POINTER);
    // @ts-expect-error a fetching atomic writes the old value into its source register
    expect(codeOf(() => b.atomicFetchAdd64(r1, 0, r10))).toBe(BUILDER_WRITES_FRAME_POINTER);
    // @ts-expect-error xchg writes its source register
    expect(codeOf(() => b.atomicXchg32(r1, 0, r10))).toBe(BUILDER_WRITES_FRAME_POINTER);
  });

  it('rejects operands of the wrong kind', () => {
    // @ts-expect-error st stores an immediate; stx stores a register
    expect(codeOf(() => b.stw(r1, 0, r2))).toBe(BUILDER_IMMEDIATE_RANGE);
    // @ts-expect-error stx stores a register
    expect(codeOf(() => b.stxw(r1, 0, 5))).toBe(BUILDER_INVALID_REGISTER);
    // @ts-expect-error movsx has no immediate form
    expect(codeOf(() => b.movsx832(r1, 5))).toBe(BUILDER_INVALID_REGISTER);
    // @ts-expect-error callx takes a register
    expect(codeOf(() => b.callx(5))).toBe(BUILDER_INVALID_REGISTER);
    // @ts-expect-error call takes a helper number
    expect(codeOf(() => b.call(r1))).toBe(BUILDER_IMMEDIATE_RANGE);
    // @ts-expect-error ldabs reads the packet at an immediate offset
    expect(codeOf(() => b.ldabsw(r1))).toBe(BUILDER_IMMEDIATE_RANGE);
    // @ts-expect-error lddw takes a bigint or a number
    expect(codeOf(() => b.lddw(r1, '0x10'))).toBe(BUILDER_IMMEDIATE_RANGE);
    // @ts-expect-error a 32-bit immediate is a number, not a bigint
    expect(codeOf(() => b.add64(r1, 1n))).toBe(BUILDER_IMMEDIATE_RANGE);
  });

  it('rejects a wrong number of operands', () => {
    // @ts-expect-error neg has one operand
    expect(codeOf(() => b.neg64(r1, 5))).toBe(BUILDER_BAD_OPERAND);
    // @ts-expect-error the swapped width is in the method name
    expect(codeOf(() => b.le16(r1, 16))).toBe(BUILDER_BAD_OPERAND);
    // @ts-expect-error exit has no operands
    expect(codeOf(() => b.exit(0))).toBe(BUILDER_BAD_OPERAND);
    // @ts-expect-error a conditional jump needs a target
    expect(codeOf(() => b.jeq(r1, 0))).toBe(BUILDER_BAD_OPERAND);
    // @ts-expect-error emit checks the fields a form uses: add64_imm has no src
    expect(codeOf(() => b.emit('add64_imm', { dst: r1, imm: 1, src: r2, typo: 1 }))).toBe(
      BUILDER_BAD_OPERAND,
    );
  });

  it('has no method for an instruction the ISA lacks', () => {
    // @ts-expect-error there is no 128-bit ALU
    expect(() => b.add128(r1, 1)).toThrow(TypeError);
  });

  it('nothing was emitted by the refused calls', () => {
    expect(b.pc).toBe(0);
    expect(b.toBytes()).toHaveLength(0);
  });
});

describe('what only the run time can check', () => {
  it('checks a register computed at run time when it is written', () => {
    const fp: Register = reg(10);
    expect(codeOf(() => new ProgramBuilder().mov64(fp, 1))).toBe(BUILDER_WRITES_FRAME_POINTER);
    expect(codeOf(() => reg(11))).toBe(BUILDER_INVALID_REGISTER);
    expect(codeOf(() => reg(-1))).toBe(BUILDER_INVALID_REGISTER);
    expect(reg(7)).toBe('r7');
  });

  it('reads r10 freely', () => {
    const bytes = new ProgramBuilder()
      .mov64(r1, r10)
      .stxdw(r10, -8, r1)
      .ldxdw(r2, r10, -8)
      .toBytes();
    expect(bytes).toHaveLength(24);
  });
});
