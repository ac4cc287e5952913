import { isEbpfError, OPCODE_TABLE, rowByName } from '@ebpf/isa';
import { describe, expect, it } from 'vitest';
import {
  createStructural,
  type HostDeclaration,
  noVerifier,
  structural,
  VERIFY_BAD_ENDIAN_WIDTH,
  VERIFY_BAD_REGISTER,
  VERIFY_CALL_OUT_OF_RANGE,
  VERIFY_DIV_BY_ZERO_IMM,
  VERIFY_EMPTY_PROGRAM,
  VERIFY_FALLS_OFF_END,
  VERIFY_JUMP_ACROSS_SUBPROGRAM,
  VERIFY_JUMP_INTO_LDDW,
  VERIFY_JUMP_OUT_OF_RANGE,
  VERIFY_LDDW_SECOND_SLOT,
  VERIFY_LDDW_SUBTYPE,
  VERIFY_LDDW_TRUNCATED,
  VERIFY_NO_EXIT,
  VERIFY_OPCODE_NOT_ENABLED,
  VERIFY_PROGRAM_LENGTH,
  VERIFY_PROGRAM_TOO_LONG,
  VERIFY_REFUSED,
  VERIFY_RESERVED_FIELD,
  VERIFY_SHIFT_RANGE,
  VERIFY_UNKNOWN_HELPER,
  VERIFY_UNKNOWN_OPCODE,
  VERIFY_WRITE_FRAME_POINTER,
  VerifyError,
  verifyOrThrow,
} from '../src/index.js';
import { asm, bytesOf, insn, slots } from './helpers/program.js';

const run = (bytes: Uint8Array, host: HostDeclaration = {}) => structural.verify({ bytes, host });
const codesAt = (bytes: Uint8Array, host: HostDeclaration = {}) =>
  run(bytes, host).problems.map((p) => [p.codeName, p.pc]);

describe('structural: program shape', () => {
  it('refuses an empty program', () => {
    expect(codesAt(new Uint8Array(0))).toEqual([['VERIFY_EMPTY_PROGRAM', undefined]]);
    expect(run(new Uint8Array(0)).problems[0].code).toBe(VERIFY_EMPTY_PROGRAM);
  });
  it('refuses a length that is not a multiple of 8, and still checks the whole slots', () => {
    const bytes = new Uint8Array([...asm('mov %r0, 0; exit'), 0x95]);
    const r = run(bytes);
    expect(r.ok).toBe(false);
    expect(r.problems.map((p) => p.code)).toEqual([VERIFY_PROGRAM_LENGTH]);
  });
  it('refuses more than 1,000,000 slots without decoding them', () => {
    const r = run(new Uint8Array(8 * 1_000_001));
    expect(r.problems.map((p) => p.code)).toEqual([VERIFY_PROGRAM_TOO_LONG]);
  });
  it('accepts a minimal program and one whose exit is not last', () => {
    expect(run(asm('mov %r0, 0; exit')).ok).toBe(true);
    expect(run(asm('ja +1; exit; mov %r0, 1; ja -3')).ok).toBe(true);
  });
});

describe('structural: one rule at a time', () => {
  const cases: ReadonlyArray<
    readonly [string, Uint8Array, number, number | undefined, HostDeclaration?]
  > = [
    ['unknown opcode', slots(0x00n, 0x95n), VERIFY_UNKNOWN_OPCODE, 0],
    [
      'unknown variant (div offset 2)',
      bytesOf(insn('div64_imm', { off: 2, imm: 1 }), insn('exit')),
      VERIFY_UNKNOWN_OPCODE,
      0,
    ],
    [
      'byte swap width 8',
      bytesOf(insn('le16', { imm: 8 }), insn('exit')),
      VERIFY_BAD_ENDIAN_WIDTH,
      0,
    ],
    ['lddw subtype 7', slots(0x7018n, 0n, 0x95n), VERIFY_LDDW_SUBTYPE, 0],
    ['lddw truncated', slots(0x95n, 0x18n), VERIFY_LDDW_TRUNCATED, 1],
    ['lddw second slot not zero', slots(0x18n, 0x07n, 0x95n), VERIFY_LDDW_SECOND_SLOT, 1],
    [
      'sdiv needs v4',
      asm('mov %r0, 1; sdiv %r0, 2; exit'),
      VERIFY_OPCODE_NOT_ENABLED,
      1,
      { cpu: 'v3' },
    ],
    ['callx needs its group', asm('mov %r1, 5; call %r1; exit'), VERIFY_OPCODE_NOT_ENABLED, 1],
    [
      'atomics need their group',
      asm('lock add [%r10-8], %r1; exit'),
      VERIFY_OPCODE_NOT_ENABLED,
      0,
      { groups: ['base64'] },
    ],
    [
      'reserved src of an imm ALU op',
      bytesOf(insn('add64_imm', { src: 3 }), insn('exit')),
      VERIFY_RESERVED_FIELD,
      0,
    ],
    ['reserved imm of exit', bytesOf(insn('exit', { imm: 1 })), VERIFY_RESERVED_FIELD, 0],
    [
      'register r11 as dst',
      bytesOf(insn('mov64_imm', { dst: 11 }), insn('exit')),
      VERIFY_BAD_REGISTER,
      0,
    ],
    [
      'register r12 as src',
      bytesOf(insn('mov64_reg', { src: 12 }), insn('exit')),
      VERIFY_BAD_REGISTER,
      0,
    ],
    ['write r10 with mov', asm('mov %r10, 1; exit'), VERIFY_WRITE_FRAME_POINTER, 0],
    ['write r10 with a load', asm('ldxdw %r10, [%r1]; exit'), VERIFY_WRITE_FRAME_POINTER, 0],
    ['write r10 with lddw', asm('lddw %r10, 1; exit'), VERIFY_WRITE_FRAME_POINTER, 0],
    [
      'write r10 with atomic fetch',
      asm('lock fetch add [%r1], %r10; exit'),
      VERIFY_WRITE_FRAME_POINTER,
      0,
    ],
    ['jump past the end', asm('ja +1; exit'), VERIFY_JUMP_OUT_OF_RANGE, 0],
    ['jump before the start', asm('ja -2; exit'), VERIFY_JUMP_OUT_OF_RANGE, 0],
    ['jump into lddw', asm('jeq %r1, 0, +1; lddw %r0, 1; exit'), VERIFY_JUMP_INTO_LDDW, 0],
    [
      'local call outside',
      bytesOf(insn('call_local', { imm: 5 }), insn('exit')),
      VERIFY_CALL_OUT_OF_RANGE,
      0,
    ],
    ['falls off the end', asm('mov %r0, 0'), VERIFY_FALLS_OFF_END, 0],
    ['conditional falls off the end', asm('jeq %r1, 0, -1'), VERIFY_FALLS_OFF_END, 0],
    ['loops forever', asm('mov %r0, 0; ja -1; exit'), VERIFY_NO_EXIT, 1],
    [
      'helper not registered',
      asm('call 7; exit'),
      VERIFY_UNKNOWN_HELPER,
      0,
      { helpers: new Map([[5, undefined]]) },
    ],
    [
      'falls into the next subprogram',
      asm('call local f; call local g; exit; f:; mov %r0, 1; g:; exit'),
      VERIFY_FALLS_OFF_END,
      3,
    ],
    [
      'jump into another subprogram',
      asm('call local f; ja f; exit; f:; exit'),
      VERIFY_JUMP_ACROSS_SUBPROGRAM,
      1,
    ],
  ];
  for (const [name, bytes, code, pc, host] of cases) {
    it(`${name}: code ${code} at ${pc}`, () => {
      const r = run(bytes, host ?? {});
      expect(r.ok).toBe(false);
      expect(r.problems.some((p) => p.code === code && p.pc === pc)).toBe(true);
      for (const p of r.problems) {
        expect(p.message.length).toBeGreaterThan(10);
        expect(p.codeName).toMatch(/^VERIFY_/);
      }
    });
  }
});

describe('structural: reporting', () => {
  it('reports every problem, in program order, with the instruction text', () => {
    const bytes = bytesOf(
      insn('mov64_imm', { dst: 10, imm: 1 }),
      insn('add64_imm', { src: 2 }),
      insn('ja', { off: 9 }),
      insn('exit'),
    );
    const r = run(bytes);
    expect(r.problems.map((p) => [p.pc, p.codeName])).toEqual([
      [0, 'VERIFY_WRITE_FRAME_POINTER'],
      [1, 'VERIFY_RESERVED_FIELD'],
      [2, 'VERIFY_JUMP_OUT_OF_RANGE'],
    ]);
    expect(r.problems[0].text).toContain('r10');
  });

  it('verifyOrThrow throws a VerifyError with the problems, kind verify', () => {
    let error: unknown;
    try {
      verifyOrThrow(structural, { bytes: asm('mov %r10, 1; exit'), host: {} });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(VerifyError);
    const e = error as VerifyError;
    expect(e.kind).toBe('verify');
    expect(e.code).toBe(VERIFY_REFUSED);
    expect(e.pc).toBe(0);
    expect(e.problems[0].code).toBe(VERIFY_WRITE_FRAME_POINTER);
    expect(e.context.problems).toBe(e.problems);
    expect(e.message).toContain('insn 0');
    expect(isEbpfError(e, VERIFY_REFUSED)).toBe(true);
  });

  it('noVerifier accepts anything, even garbage', () => {
    expect(noVerifier.verify({ bytes: new Uint8Array(3), host: {} }).ok).toBe(true);
  });
});

describe('structural: kernel-compatible options', () => {
  const kernel = createStructural({ shiftImmediates: 'reject', divisionByZeroImmediate: 'reject' });
  it('by default accepts wide shift immediates and division by an immediate zero (RFC 9669)', () => {
    expect(run(asm('mov %r0, 1; lsh32 %r0, 40; div %r0, 0; exit')).ok).toBe(true);
  });
  it('can refuse them as Linux does', () => {
    const r = kernel.verify({
      bytes: asm('mov %r0, 1; lsh32 %r0, 40; arsh %r0, -1; mod32 %r0, 0; exit'),
      host: {},
    });
    expect(r.problems.map((p) => [p.code, p.pc])).toEqual([
      [VERIFY_SHIFT_RANGE, 1],
      [VERIFY_SHIFT_RANGE, 2],
      [VERIFY_DIV_BY_ZERO_IMM, 3],
    ]);
    expect(
      kernel.verify({ bytes: asm('mov %r0, 1; lsh32 %r0, 31; lsh %r0, 63; exit'), host: {} }).ok,
    ).toBe(true);
  });
});

describe('structural: complete over the ISA table', () => {
  it.each(OPCODE_TABLE.map((r) => [r.name]))('%s: a well-formed instance is accepted', (name) => {
    const row = rowByName(name);
    const fields: Record<string, number> = { dst: 1, src: 2, off: 0, imm: 0 };
    if (row.kind === 'ja' || row.kind === 'jcond') fields.off = 0;
    if (row.kind === 'call') fields.imm = row.op === 'call_local' ? 1 : 1;
    if (row.kind === 'callx') fields.dst = 1;
    const i = insn(name, {
      ...Object.fromEntries(row.uses.map((f) => [f, fields[f]])),
      // A code address names a function: the second exit, after the program's own.
      ...(row.kind === 'lddw' ? { imm64: name === 'lddw_code_addr' ? 2n : 1n } : {}),
    });
    const r = run(bytesOf(i, insn('exit'), insn('exit')), {
      groups: ['base64', 'atomic64', 'divmul64', 'packet', 'callx'],
    });
    expect(r.problems).toEqual([]);
  });
});
