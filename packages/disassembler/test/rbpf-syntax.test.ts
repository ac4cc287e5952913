import { encode, type Insn, rowByName } from '@ebpf/isa';
import { describe, expect, it } from 'vitest';
import { disassemble, disassembleInsns, formatInsn } from '../src/index.js';

/** One instruction of form `name` with the given fields (the rest 0). */
function insn(name: string, fields: Partial<Insn> = {}): Insn {
  const row = rowByName(name);
  return {
    opcode: row.opcode,
    dst: 0,
    src: row.match.src ?? 0,
    off: row.match.off ?? 0,
    imm: row.match.imm ?? 0,
    ...fields,
  };
}

const text = (...insns: Insn[]) => disassemble(encode(insns));

describe('rbpf syntax follows rbpf disassembler.rs', () => {
  // Expected strings are the ones rbpf's own tests (tests/disassembler.rs) pin.
  it.each([
    ['add64 r1, r3', insn('add64_reg', { dst: 1, src: 3 })],
    ['add64 r1, 0x5', insn('add64_imm', { dst: 1, imm: 5 })],
    ['add64 r1, 0x7fffffff', insn('add64_imm', { dst: 1, imm: 0x7fffffff })],
    ['neg64 r1', insn('neg64', { dst: 1 })],
    ['ldxw r1, [r2+0x5]', insn('ldxw', { dst: 1, src: 2, off: 5 })],
    ['ldxdw r1, [r2+0x3]', insn('ldxdw', { dst: 1, src: 2, off: 3 })],
    ['stw [r2+0x5], 0x7', insn('stw', { dst: 2, off: 5, imm: 7 })],
    ['sth [r1+0x2], 0x3', insn('sth', { dst: 1, off: 2, imm: 3 })],
    ['stxw [r2+0x5], r8', insn('stxw', { dst: 2, src: 8, off: 5 })],
    ['stxh [r1+0x2], r3', insn('stxh', { dst: 1, src: 3, off: 2 })],
    ['ja +0x8', insn('ja', { off: 8 })],
    ['jeq r1, 0x4, +0x8', insn('jeq_imm', { dst: 1, imm: 4, off: 8 })],
    ['jeq r1, r3, +0x8', insn('jeq_reg', { dst: 1, src: 3, off: 8 })],
    ['jsge r1, r2, -0x3', insn('jsge_reg', { dst: 1, src: 2, off: -3 })],
    ['jsle32 r1, 0x2, -0x3', insn('jsle32_imm', { dst: 1, imm: 2, off: -3 })],
    ['call 0x3', insn('call', { imm: 3 })],
    ['be32 r1', insn('be32', { dst: 1 })],
    ['le64 r1', insn('le64', { dst: 1 })],
    ['ldabsw 0x1', insn('ldabsw', { imm: 1 })],
    ['ldindw r1, 0x2', insn('ldindw', { src: 1, imm: 2 })],
    ['exit', insn('exit')],
  ])('%s', (expected, i) => {
    expect(text(i)).toBe(expected);
  });

  it('prints lddw as one 64-bit immediate', () => {
    expect(text(insn('lddw', { dst: 1, imm64: 0x1234abcd5678eeffn }))).toBe(
      'lddw r1, 0x1234abcd5678eeff',
    );
    expect(text(insn('lddw', { dst: 1, imm64: 0xff11ee22dd33cc44n }))).toBe(
      'lddw r1, 0xff11ee22dd33cc44',
    );
  });

  it('prints negative offsets with a minus and -0x8000 without overflow (rbpf test_offset_overflow)', () => {
    expect(
      text(
        insn('stw', { dst: 1, off: -0x8000, imm: 1 }),
        insn('stdw', { dst: 1, off: -0x8000, imm: 1 }),
        insn('ldxb', { dst: 1, src: 0, off: -0x8000 }),
        insn('jeq_imm', { dst: 1, imm: 2, off: -0x8000 }),
        insn('jeq32_reg', { dst: 1, src: 2, off: -0x8000 }),
        insn('ja', { off: -0x8000 }),
      ).split('\n'),
    ).toEqual([
      'stw [r1-0x8000], 0x1',
      'stdw [r1-0x8000], 0x1',
      'ldxb r1, [r0-0x8000]',
      'jeq r1, 0x2, -0x8000',
      'jeq32 r1, r2, -0x8000',
      'ja -0x8000',
    ]);
  });

  it("prints negative immediates as their 32-bit two's complement, like Rust's {:#x}", () => {
    expect(text(insn('mov64_imm', { dst: 1, imm: -1 }))).toBe('mov64 r1, 0xffffffff');
    expect(text(insn('jeq_imm', { dst: 1, imm: -0x80000000, off: 1 }))).toBe(
      'jeq r1, 0x80000000, +0x1',
    );
    expect(text(insn('call', { imm: -1 }))).toBe('call 0xffffffff');
  });

  it('gives lddw one entry with the merged immediate (rbpf to_insn_vec doc example)', () => {
    const bytes = new Uint8Array([
      0x18, 0x00, 0x00, 0x00, 0x88, 0x77, 0x66, 0x55, 0x00, 0x00, 0x00, 0x00, 0x44, 0x33, 0x22,
      0x11, 0x95, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ]);
    const entries = disassembleInsns(bytes);
    expect(entries.map((e) => [e.pc, e.opcode, e.slots, e.form, e.text, e.imm64])).toEqual([
      [0, 0x18, 2, 'lddw', 'lddw r0, 0x1122334455667788', 0x1122334455667788n],
      [2, 0x95, 1, 'exit', 'exit', undefined],
    ]);
  });
});

describe('rbpf syntax for forms rbpf lacks (bpf_conformance spelling)', () => {
  it.each([
    ['lock add [r1+0x4], r2', insn('atomic_add64', { dst: 1, src: 2, off: 4 })],
    ['lock fetch add32 [r1-0x4], r2', insn('atomic_fetch_add32', { dst: 1, src: 2, off: -4 })],
    ['lock xchg [r10-0x8], r1', insn('atomic_xchg64', { dst: 10, src: 1, off: -8 })],
    ['lock cmpxchg32 [r10-0x8], r1', insn('atomic_cmpxchg32', { dst: 10, src: 1, off: -8 })],
    ['movsx832 r0, r1', insn('movsx832', { src: 1 })],
    ['movsx3264 r2, r3', insn('movsx3264', { dst: 2, src: 3 })],
    ['ldxsh r1, [r2+0x5]', insn('ldxsh', { dst: 1, src: 2, off: 5 })],
    ['bswap64 r0', insn('bswap64')],
    ['sdiv64 r1, 0x3', insn('sdiv64_imm', { dst: 1, imm: 3 })],
    ['smod32 r1, r2', insn('smod32_reg', { dst: 1, src: 2 })],
    ['ja32 -0x5', insn('ja32', { imm: -5 })],
    ['call local +0x3', insn('call_local', { imm: 3 })],
    ['call r2', insn('callx', { dst: 2 })],
    ['call_btf 0x3', insn('call_btf', { imm: 3 })],
    ['lddw_map_fd r1, 0x5', insn('lddw_map_fd', { dst: 1, imm64: 5n })],
  ])('%s', (expected, i) => {
    expect(text(i)).toBe(expected);
  });

  it('formatInsn prints one decoded instruction', () => {
    const [entry] = disassembleInsns(encode([insn('add64_imm', { dst: 1, imm: 0x605 })]));
    expect(formatInsn(entry.insn!)).toBe('add64 r1, 0x605');
    expect(formatInsn(entry.insn!, { syntax: 'llvm' })).toBe('r1 += 0x605');
  });
});
