/**
 * Where each typed method puts its operands, and the ranges it accepts. Decoded fields are
 * compared, so a method whose parameters were in the wrong order would fail here.
 */
import {
  BUILDER_BAD_OPERAND,
  BUILDER_FORM_NOT_ALLOWED,
  BUILDER_IMMEDIATE_RANGE,
  BUILDER_OFFSET_RANGE,
  BuildError,
  ProgramBuilder,
  r0,
  r1,
  r2,
  r3,
  r9,
  r10,
} from '@ebpf/builder';
import { type DecodedInsn, decode, ERROR_CODE_RANGES, isEbpfError } from '@ebpf/isa';
import { describe, expect, it } from 'vitest';

function only(b: ProgramBuilder): DecodedInsn {
  const insns = decode(b.toBytes(), { strict: true });
  expect(insns).toHaveLength(1);
  return insns[0];
}

function fields(i: DecodedInsn) {
  return { name: i.row.name, dst: i.dst, src: i.src, off: i.off, imm: i.imm };
}

function codeOf(action: () => unknown): number | undefined {
  try {
    action();
  } catch (e) {
    return isEbpfError(e) ? e.code : -1;
  }
  return undefined;
}

describe('operand placement', () => {
  const b = () => new ProgramBuilder();
  it('ALU: dst then a register (reg form) or a number (imm form)', () => {
    expect(fields(only(b().sub32(r3, r9)))).toEqual({
      name: 'sub32_reg',
      dst: 3,
      src: 9,
      off: 0,
      imm: 0,
    });
    expect(fields(only(b().xor64(r3, -9)))).toEqual({
      name: 'xor64_imm',
      dst: 3,
      src: 0,
      off: 0,
      imm: -9,
    });
    expect(fields(only(b().sdiv64(r1, 3)))).toEqual({
      name: 'sdiv64_imm',
      dst: 1,
      src: 0,
      off: 1,
      imm: 3,
    });
    expect(fields(only(b().smod32(r1, r2)))).toEqual({
      name: 'smod32_reg',
      dst: 1,
      src: 2,
      off: 1,
      imm: 0,
    });
    expect(fields(only(b().movsx1664(r1, r2)))).toEqual({
      name: 'movsx1664',
      dst: 1,
      src: 2,
      off: 16,
      imm: 0,
    });
    expect(fields(only(b().bswap32(r2)))).toEqual({
      name: 'bswap32',
      dst: 2,
      src: 0,
      off: 0,
      imm: 32,
    });
    expect(fields(only(b().neg32(r9)))).toEqual({ name: 'neg32', dst: 9, src: 0, off: 0, imm: 0 });
  });

  it('jumps: dst, source, target', () => {
    expect(fields(only(b().jslt32(r1, r2, 7)))).toEqual({
      name: 'jslt32_reg',
      dst: 1,
      src: 2,
      off: 7,
      imm: 0,
    });
    expect(fields(only(b().jset(r1, 0x10, -3)))).toEqual({
      name: 'jset_imm',
      dst: 1,
      src: 0,
      off: -3,
      imm: 16,
    });
    expect(fields(only(b().ja32(100000)))).toEqual({
      name: 'ja32',
      dst: 0,
      src: 0,
      off: 0,
      imm: 100000,
    });
  });

  it('calls and exit', () => {
    expect(fields(only(b().call(5)))).toEqual({ name: 'call', dst: 0, src: 0, off: 0, imm: 5 });
    expect(fields(only(b().callLocal(-4)))).toEqual({
      name: 'call_local',
      dst: 0,
      src: 1,
      off: 0,
      imm: -4,
    });
    expect(fields(only(b().callBtf(1234)))).toEqual({
      name: 'call_btf',
      dst: 0,
      src: 2,
      off: 0,
      imm: 1234,
    });
    expect(fields(only(b().callx(r3)))).toEqual({ name: 'callx', dst: 3, src: 0, off: 0, imm: 0 });
    expect(fields(only(b().exit()))).toEqual({ name: 'exit', dst: 0, src: 0, off: 0, imm: 0 });
  });

  it('loads: dst, src, off; stores: dst, off, then the value', () => {
    expect(fields(only(b().ldxsh(r1, r10, -2)))).toEqual({
      name: 'ldxsh',
      dst: 1,
      src: 10,
      off: -2,
      imm: 0,
    });
    expect(fields(only(b().sth(r10, -4, 0x7fff)))).toEqual({
      name: 'sth',
      dst: 10,
      src: 0,
      off: -4,
      imm: 0x7fff,
    });
    expect(fields(only(b().stxb(r10, -1, r2)))).toEqual({
      name: 'stxb',
      dst: 10,
      src: 2,
      off: -1,
      imm: 0,
    });
    expect(fields(only(b().ldabsh(12)))).toEqual({
      name: 'ldabsh',
      dst: 0,
      src: 0,
      off: 0,
      imm: 12,
    });
    expect(fields(only(b().ldindw(r2, 4)))).toEqual({
      name: 'ldindw',
      dst: 0,
      src: 2,
      off: 0,
      imm: 4,
    });
  });

  it('atomics: dst, off, src, with the operation in the immediate', () => {
    const add = only(b().atomicAdd32(r10, -8, r1));
    expect(fields(add)).toEqual({ name: 'atomic_add32', dst: 10, src: 1, off: -8, imm: 0 });
    const cmpxchg = only(b().atomicCmpxchg64(r2, 16, r3));
    expect([cmpxchg.row.name, cmpxchg.dst, cmpxchg.src, cmpxchg.off]).toEqual([
      'atomic_cmpxchg64',
      2,
      3,
      16,
    ]);
    expect(only(b().atomicFetchXor64(r1, 0, r2)).row.name).toBe('atomic_fetch_xor64');
  });

  it('lddw: a 64-bit value as bigint or number, signed or unsigned', () => {
    expect(only(b().lddw(r1, 0x1122334455667788n)).imm64).toBe(0x1122334455667788n);
    expect(only(b().lddw(r1, -1n)).imm64).toBe(0xffff_ffff_ffff_ffffn);
    expect(only(b().lddw(r1, -2)).imm64).toBe(0xffff_ffff_ffff_fffen);
    expect(only(b().lddw(r1, 2 ** 40)).imm64).toBe(1n << 40n);
    const mapValue = only(b().lddwMapValueFd(r2, 3, 24));
    expect([mapValue.row.name, mapValue.dst, mapValue.imm, mapValue.imm64]).toEqual([
      'lddw_map_value_fd',
      2,
      3,
      (24n << 32n) | 3n,
    ]);
    expect(only(b().lddwMapValueIdx(r2, 1, -8)).imm64).toBe((0xffff_fff8n << 32n) | 1n);
    expect(only(b().lddwMapFd(r1, 7)).imm64).toBe(7n);
    expect(only(b().lddwMapIdx(r1, 0)).row.name).toBe('lddw_map_idx');
    expect(only(b().lddwVarAddr(r1, 9)).row.name).toBe('lddw_var_addr');
  });

  it('toInsns gives the fields encode takes', () => {
    const insns = new ProgramBuilder().mov32(r0, 0xffff_ffff).lddw(r1, 5n).toInsns();
    expect(insns).toEqual([
      { opcode: 0xb4, dst: 0, src: 0, off: 0, imm: -1 },
      { opcode: 0x18, dst: 1, src: 0, off: 0, imm: 5, imm64: 5n },
    ]);
  });
});

describe('operand ranges', () => {
  const b = new ProgramBuilder();
  it('takes 32-bit immediates signed or as raw unsigned bits, and nothing else', () => {
    expect(only(new ProgramBuilder().and64(r1, 0xffff_ff00)).imm).toBe(-256);
    expect(only(new ProgramBuilder().add64(r1, -0x8000_0000)).imm).toBe(-0x8000_0000);
    for (const bad of [2 ** 32, -(2 ** 31) - 1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(codeOf(() => b.add64(r1, bad))).toBe(BUILDER_IMMEDIATE_RANGE);
      expect(codeOf(() => b.stdw(r1, 0, bad))).toBe(BUILDER_IMMEDIATE_RANGE);
    }
  });

  it('takes offsets as signed 16-bit numbers', () => {
    expect(only(new ProgramBuilder().ldxb(r1, r2, -0x8000)).off).toBe(-0x8000);
    for (const bad of [0x8000, -0x8001, 0.5]) {
      expect(codeOf(() => b.ldxb(r1, r2, bad))).toBe(BUILDER_OFFSET_RANGE);
      expect(codeOf(() => b.ja(bad))).toBe(BUILDER_OFFSET_RANGE);
    }
  });

  it('takes a raw distance in an immediate as signed 32-bit only', () => {
    expect(codeOf(() => b.ja32(0xffff_ffff))).toBe(BUILDER_IMMEDIATE_RANGE);
    expect(codeOf(() => b.callLocal(2 ** 31))).toBe(BUILDER_IMMEDIATE_RANGE);
  });

  it('takes lddw values from -2^63 to 2^64-1, numbers only when safe integers', () => {
    expect(codeOf(() => b.lddw(r1, 1n << 64n))).toBe(BUILDER_IMMEDIATE_RANGE);
    expect(codeOf(() => b.lddw(r1, -(1n << 63n) - 1n))).toBe(BUILDER_IMMEDIATE_RANGE);
    expect(codeOf(() => b.lddw(r1, 2 ** 60))).toBe(BUILDER_IMMEDIATE_RANGE);
    expect(codeOf(() => b.lddwMapValueFd(r1, 1, 2 ** 32))).toBe(BUILDER_IMMEDIATE_RANGE);
  });

  it('names the form, the operand and the instruction index', () => {
    const p = new ProgramBuilder().exit().exit();
    let error: unknown;
    try {
      p.lddwMapValueIdx(r1, 0, 0.5);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BuildError);
    if (isEbpfError(error, BUILDER_IMMEDIATE_RANGE)) {
      expect(error.pc).toBe(2);
      expect(error.context.form).toBe('lddw_map_value_idx');
      expect(error.context.operand).toBe('nextImm');
      expect(error.message).toMatch(/^insn 2: lddw_map_value_idx: nextImm 0.5 /);
      expect(error.toJSON()).toMatchObject({ code: BUILDER_IMMEDIATE_RANGE, pc: 2, kind: 'build' });
    } else expect.unreachable();
  });

  it('refuses a label where the form holds no distance', () => {
    expect(codeOf(() => b.emit('ldxw', { dst: r1, src: r2, off: 'x' }))).toBe(BUILDER_OFFSET_RANGE);
    expect(codeOf(() => b.emit('lddw', { dst: r1, imm: 'x' }))).toBe(BUILDER_IMMEDIATE_RANGE);
    expect(codeOf(() => b.emit('exit', null as never))).toBe(BUILDER_BAD_OPERAND);
    expect(codeOf(() => b.emit('exit', { imm: 0 }))).toBe(BUILDER_BAD_OPERAND);
    expect(codeOf(() => b.emit('ldxw', { dst: r1, off: 0 }))).toBe(BUILDER_BAD_OPERAND);
  });

  it('uses only codes of its own range', () => {
    const [min, max] = ERROR_CODE_RANGES.builder;
    const codes = [
      codeOf(() => b.add64(r1, 2 ** 40)),
      codeOf(() => b.ldxw(r1, r2, 1e6)),
      codeOf(() => b.emit('nope')),
      codeOf(() => b.label('')),
    ];
    for (const code of codes) expect(code! >= min && code! <= max).toBe(true);
  });
});

describe('target overlays', () => {
  it('refuses forms outside the CPU version or groups it was made for', () => {
    const v3 = new ProgramBuilder({ cpu: 'v3' });
    expect(codeOf(() => v3.sdiv64(r1, 2))).toBe(BUILDER_FORM_NOT_ALLOWED);
    expect(codeOf(() => v3.callx(r1))).toBe(BUILDER_FORM_NOT_ALLOWED); // callx group is off by default
    expect(codeOf(() => v3.div64(r1, 2).jlt32(r1, 2, 0).exit())).toBeUndefined();
    const withPacket = new ProgramBuilder({ groups: ['base64', 'packet'] });
    expect(codeOf(() => withPacket.ldabsb(0))).toBeUndefined();
    expect(codeOf(() => withPacket.atomicAdd64(r10, -8, r1))).toBe(BUILDER_FORM_NOT_ALLOWED);
    expect(codeOf(() => new ProgramBuilder().ldabsb(0).callx(r2).sdiv32(r1, r2))).toBeUndefined();
  });
});
