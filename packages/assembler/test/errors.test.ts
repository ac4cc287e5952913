import { ERROR_CODE_RANGES, isEbpfError, MAX_PROGRAM_INSNS } from '@ebpf/isa';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';
import {
  ASM_BAD_DATA_FILE,
  ASM_BAD_NUMBER,
  ASM_BAD_OPTION,
  ASM_DUPLICATE_LABEL,
  ASM_IMM_RANGE,
  ASM_JUMP_RANGE,
  ASM_OFFSET_RANGE,
  ASM_OPERAND_COUNT,
  ASM_OPERAND_KIND,
  ASM_PROGRAM_TOO_LONG,
  ASM_REGISTER_MISMATCH,
  ASM_SYNTAX,
  ASM_UNDEFINED_LABEL,
  ASM_UNEXPECTED_CHARACTER,
  ASM_UNKNOWN_DIRECTIVE,
  ASM_UNKNOWN_MNEMONIC,
  ASM_UNKNOWN_REGISTER,
  AsmError,
  type AssembleOptions,
  assemble,
  parseConformanceData,
} from '../src/index.js';

function errorOf(run: () => unknown): AsmError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(AsmError);
    return e as AsmError;
  }
  throw new Error('expected an AsmError, but nothing was thrown');
}

/** Assembles `text` and expects error `code` at `line`:`column`. */
function expectError(
  text: string,
  code: number,
  line: number,
  column: number,
  options: AssembleOptions = {},
) {
  const e = errorOf(() => assemble(text, options));
  expect({ code: e.code, line: e.line, column: e.column }, `${text} (${e.message})`).toEqual({
    code,
    line,
    column,
  });
  expect(e.kind).toBe('assemble');
  expect(e.codeName).toMatch(/^ASM_/);
  expect(isEbpfError(e, code)).toBe(true);
  // The message names the place and ends with the line and a caret under the column.
  const [first, excerpt, caret] = e.message.split('\n');
  expect(first).toMatch(new RegExp(`^line ${line}, column ${column}: `));
  expect(excerpt).toBe(
    `  ${text.split('\n')[line - (options.firstLine ?? 1)].replace(/\t/g, ' ')}`,
  );
  expect(caret).toBe(`  ${' '.repeat(column - 1)}^`);
  return e;
}

describe('AsmError codes, lines and columns (rbpf syntax)', () => {
  it('codes are unique, stay in the assembler range, and each has a name', () => {
    const [min, max] = ERROR_CODE_RANGES.assembler;
    const codes = Object.entries(api).filter(
      ([k, v]) => k.startsWith('ASM_') && typeof v === 'number',
    );
    expect(codes.length).toBe(17);
    expect(new Set(codes.map(([, v]) => v)).size).toBe(codes.length);
    for (const [name, code] of codes) {
      expect(code).toBeGreaterThanOrEqual(min);
      expect(code).toBeLessThanOrEqual(max);
      const e = new AsmError(code as api.AsmErrorCode, { line: 1, column: 1, source: '' } as never);
      expect(e.codeName).toBe(name);
    }
  });

  it('lexical errors', () => {
    expectError('mov r1, @', ASM_UNEXPECTED_CHARACTER, 1, 9);
    expectError('exit\nmov r1, 0x1g', ASM_BAD_NUMBER, 2, 9);
    expectError('mov r1, 0x', ASM_BAD_NUMBER, 1, 9);
  });

  it('unknown mnemonics, registers and operands', () => {
    expectError('  foo r1', ASM_UNKNOWN_MNEMONIC, 1, 3);
    expectError('lock fetch xchg [r1], r2', ASM_UNKNOWN_MNEMONIC, 1, 12);
    const e = expectError('mov r11, 1', ASM_UNKNOWN_REGISTER, 1, 5);
    expect(e.context).toMatchObject({ register: 'r11' });
    expectError('mov %r12, 1', ASM_UNKNOWN_REGISTER, 1, 5);
    expectError('mov w1, 1', ASM_UNKNOWN_REGISTER, 1, 5);
    expectError('ldxb r0, [r99+1]', ASM_UNKNOWN_REGISTER, 1, 11);
    expectError('add r1', ASM_OPERAND_COUNT, 1, 7);
    expectError('exit r0', ASM_OPERAND_COUNT, 1, 6);
    expectError('neg r1, r2', ASM_OPERAND_COUNT, 1, 9);
    expectError('add 1, r1', ASM_OPERAND_KIND, 1, 5);
    expectError('ldxb r0, r1', ASM_OPERAND_KIND, 1, 10);
    expectError('stxb [r1+2], 5', ASM_OPERAND_KIND, 1, 14);
    expectError('call r1, 2', ASM_OPERAND_COUNT, 1, 10);
  });

  it('immediates and offsets that do not fit', () => {
    const e = expectError('mov r1, 0x100000000', ASM_IMM_RANGE, 1, 9);
    expect(e.context).toMatchObject({ value: 0x1_0000_0000n, max: 0xffff_ffffn });
    expectError('mov r1, 2147483648', ASM_IMM_RANGE, 1, 9);
    expectError('mov r1, -2147483649', ASM_IMM_RANGE, 1, 9);
    expectError('lddw r1, 0x10000000000000000', ASM_IMM_RANGE, 1, 10);
    expectError('ja32 2147483648', ASM_IMM_RANGE, 1, 6);
    expectError('ldxb r0, [r1+32768]', ASM_OFFSET_RANGE, 1, 13);
    expectError('stb [r1-32769], 1', ASM_OFFSET_RANGE, 1, 8);
    expectError('ja -32769', ASM_OFFSET_RANGE, 1, 4);
    expectError('jeq r1, 1, +32768', ASM_OFFSET_RANGE, 1, 12);
  });

  it('labels: undefined, duplicate, too far', () => {
    expectError('ja nowhere\nexit', ASM_UNDEFINED_LABEL, 1, 4);
    expectError('x:\nexit\n  x: exit', ASM_DUPLICATE_LABEL, 3, 3);
    const far = ['ja far', ...Array.from({ length: 32768 }, () => 'exit'), 'far:', 'exit'].join(
      '\n',
    );
    const e = expectError(far, ASM_JUMP_RANGE, 1, 4);
    expect(e.context).toMatchObject({ label: 'far', distance: 32768, bits: 16 });
    // One instruction less fits exactly.
    expect(() => assemble(far.replace('exit\n', ''))).not.toThrow();
  });

  it('syntax errors, directives, options', () => {
    expectError('ldxb r0, [r1+2', ASM_SYNTAX, 1, 15);
    expectError('mov r1 2', ASM_SYNTAX, 1, 8);
    expectError('.data', ASM_UNKNOWN_DIRECTIVE, 1, 1);
    const bad = errorOf(() => assemble('exit', { syntax: 'gas' as never }));
    expect(bad.code).toBe(ASM_BAD_OPTION);
  });

  it('more slots than MAX_PROGRAM_INSNS', () => {
    // 500,001 lddw take 1,000,002 slots; the error names the line that crosses the limit.
    const e = errorOf(() => assemble('lddw r0,0\n'.repeat(MAX_PROGRAM_INSNS / 2 + 1)));
    expect([e.code, e.line, e.column]).toEqual([
      ASM_PROGRAM_TOO_LONG,
      MAX_PROGRAM_INSNS / 2 + 1,
      1,
    ]);
    expect(e.context).toMatchObject({ slots: MAX_PROGRAM_INSNS + 2, max: MAX_PROGRAM_INSNS });
  });

  it('firstLine shifts every line number', () => {
    expectError('exit\nfoo', ASM_UNKNOWN_MNEMONIC, 11, 1, { firstLine: 10 });
  });
});

describe('AsmError codes, lines and columns (LLVM syntax)', () => {
  const llvm = { syntax: 'llvm' } as const;

  it('registers and operands', () => {
    expectError('r11 = 1', ASM_UNKNOWN_REGISTER, 1, 1, llvm);
    expectError('r1 = w12', ASM_UNKNOWN_REGISTER, 1, 6, llvm);
    expectError('r1 = %r2', ASM_UNKNOWN_REGISTER, 1, 6, llvm);
    expectError('frob r1', ASM_UNKNOWN_MNEMONIC, 1, 1, llvm);
    expectError('r0 = frob r1', ASM_UNKNOWN_MNEMONIC, 1, 6, llvm);
    expectError('r1 += foo', ASM_OPERAND_KIND, 1, 7, llvm);
    expectError('r1 constructor 2', ASM_OPERAND_KIND, 1, 4, llvm);
    expectError('if r1 __proto__ 2 goto +1', ASM_OPERAND_KIND, 1, 7, llvm);
    expectError('if r1 ! 2 goto +1', ASM_UNEXPECTED_CHARACTER, 1, 7, llvm);
    expectError('if r1 = 2 goto +1', ASM_OPERAND_KIND, 1, 7, llvm);
    expectError('r0 = *(u128 *)(r1 + 0)', ASM_SYNTAX, 1, 8, llvm);
    expectError('r0 = *(u32 *)(r1 + 4', ASM_SYNTAX, 1, 21, llvm);
    expectError('exit now', ASM_SYNTAX, 1, 6, llvm);
  });

  it('operands LLVM ties or types together must agree', () => {
    expectError('w1 += r2', ASM_REGISTER_MISMATCH, 1, 7, llvm);
    expectError('if r1 s>= w2 goto +1', ASM_REGISTER_MISMATCH, 1, 11, llvm);
    expectError('r1 = -r2', ASM_REGISTER_MISMATCH, 1, 7, llvm);
    expectError('r1 = be16 r2', ASM_REGISTER_MISMATCH, 1, 11, llvm);
    expectError('r1 = xchg_64(r2 + 0, r3)', ASM_REGISTER_MISMATCH, 1, 22, llvm);
    expectError('r1 = cmpxchg_64(r2 + 0, r1, r3)', ASM_REGISTER_MISMATCH, 1, 1, llvm);
    expectError('w1 = 1 ll', ASM_REGISTER_MISMATCH, 1, 8, llvm);
    expectError('r1 = *(u8 *)skb[4]', ASM_REGISTER_MISMATCH, 1, 1, llvm);
    expectError('*(u64 *)(r1 + 0) = w2', ASM_REGISTER_MISMATCH, 1, 20, llvm);
  });

  it('ranges', () => {
    expectError('r1 = 4294967296', ASM_IMM_RANGE, 1, 6, llvm);
    expectError('r1 = -2147483649', ASM_IMM_RANGE, 1, 6, llvm);
    expectError('*(u8 *)(r1 + 32768) = 1', ASM_OFFSET_RANGE, 1, 12, llvm);
    expectError('goto +32768', ASM_OFFSET_RANGE, 1, 6, llvm);
    expectError('ld_pseudo r1, 7, 0', ASM_IMM_RANGE, 1, 15, llvm);
  });

  it('labels', () => {
    expectError('goto LBB0_9\nexit', ASM_UNDEFINED_LABEL, 1, 6, llvm);
    expectError('LBB0_1:\nLBB0_1:\nexit', ASM_DUPLICATE_LABEL, 2, 1, llvm);
    // The implicit `exit` label is a bpf_conformance convention, not LLVM's.
    expectError('goto exit\nexit', ASM_UNDEFINED_LABEL, 1, 6, llvm);
  });
});

describe('parseConformanceData errors', () => {
  it('an unknown section, a bad number, a bad memory byte', () => {
    const unknown = errorOf(() => parseConformanceData('-- asm\nexit\n-- frobnicate\n'));
    expect([unknown.code, unknown.line, unknown.column]).toEqual([ASM_BAD_DATA_FILE, 3, 1]);
    const number = errorOf(() => parseConformanceData('-- asm\nexit\n-- result\n0xg1\n'));
    expect([number.code, number.line]).toEqual([ASM_BAD_DATA_FILE, 4]);
    const mem = errorOf(() => parseConformanceData('-- mem\n00 11 zz\n'));
    expect([mem.code, mem.line, mem.column]).toEqual([ASM_BAD_DATA_FILE, 2, 7]);
    const before = errorOf(() => parseConformanceData('exit\n-- asm\n'));
    expect([before.code, before.line]).toEqual([ASM_BAD_DATA_FILE, 1]);
  });
});
