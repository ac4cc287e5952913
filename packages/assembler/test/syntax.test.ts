import { encode, type Insn, OPCODE_TABLE, rowByName } from '@ebpf/isa';
import { describe, expect, it } from 'vitest';
import { assemble, assembleProgram, RBPF_MNEMONICS } from '../src/index.js';

/** The bytes of instructions given by form name and operand fields. */
function bytesOf(...insns: [string, Partial<Insn>][]): Uint8Array {
  return encode(
    insns.map(([name, f]) => {
      const row = rowByName(name);
      return {
        opcode: row.opcode,
        dst: f.dst ?? 0,
        src: f.src ?? row.match.src ?? 0,
        off: f.off ?? row.match.off ?? 0,
        imm: f.imm ?? row.match.imm ?? 0,
        ...(f.imm64 === undefined ? {} : { imm64: f.imm64 }),
      };
    }),
  );
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

describe('rbpf syntax', () => {
  it("rbpf's README examples", () => {
    expect(hex(assemble('add64 r1, 0x605'))).toBe('0701000005060000');
    expect(hex(assemble('mov64 r0, 0\nexit'))).toBe('b7000000000000009500000000000000');
    expect(assemble('ldxh r0, [r1+2]')).toEqual(bytesOf(['ldxh', { dst: 0, src: 1, off: 2 }]));
    expect(assemble('stw [r2-0x5], 0x7')).toEqual(bytesOf(['stw', { dst: 2, off: -5, imm: 7 }]));
    expect(assemble('jeq r1, 0x4, +0x8')).toEqual(bytesOf(['jeq_imm', { dst: 1, imm: 4, off: 8 }]));
    expect(assemble('ja -3')).toEqual(bytesOf(['ja', { off: -3 }]));
    expect(assemble('be16 r0')).toEqual(bytesOf(['be16', {}]));
    expect(assemble('neg64 r2')).toEqual(bytesOf(['neg64', { dst: 2 }]));
    expect(assemble('lddw r1, 0x1234abcd5678eeff')).toEqual(
      bytesOf(['lddw', { dst: 1, imm64: 0x1234abcd5678eeffn }]),
    );
    expect(assemble('call 0x3')).toEqual(bytesOf(['call', { imm: 3 }]));
    expect(assemble('mov32 r0, 0')).toEqual(bytesOf(['mov32_imm', {}]));
  });

  it('bare mnemonics are 64-bit, a 32 suffix is 32-bit, both spellings work', () => {
    expect(assemble('add %r1, %r2')).toEqual(assemble('add64 r1, r2'));
    expect(assemble('add %r1, %r2')).toEqual(bytesOf(['add64_reg', { dst: 1, src: 2 }]));
    expect(assemble('add32 %r1, 5')).toEqual(bytesOf(['add32_imm', { dst: 1, imm: 5 }]));
    expect(assemble('jeq %r1, %r2, +1')).toEqual(assemble('jeq64 r1, r2, +1'));
    expect(assemble('jeq32 %r1, 5, +1')).toEqual(
      bytesOf(['jeq32_imm', { dst: 1, imm: 5, off: 1 }]),
    );
    expect(assemble('neg %r3')).toEqual(bytesOf(['neg64', { dst: 3 }]));
    expect(assemble('sdiv %r1, 3')).toEqual(bytesOf(['sdiv64_imm', { dst: 1, imm: 3 }]));
    expect(assemble('smod32 %r1, %r2')).toEqual(bytesOf(['smod32_reg', { dst: 1, src: 2 }]));
    expect(assemble('swap16 %r1')).toEqual(assemble('bswap16 %r1'));
    expect(assemble('movsx1664 %r1, %r2')).toEqual(bytesOf(['movsx1664', { dst: 1, src: 2 }]));
    expect(assemble('ldxsw %r1, [%r2-4]')).toEqual(bytesOf(['ldxsw', { dst: 1, src: 2, off: -4 }]));
    expect(assemble('ADD64 R1, 1')).toEqual(assemble('add64 r1, 1'));
  });

  it('every table mnemonic and name is a key; aliases name the 64-bit forms', () => {
    for (const row of OPCODE_TABLE) {
      expect(RBPF_MNEMONICS.get(row.mnemonic), row.name).toContain(row);
      expect(RBPF_MNEMONICS.get(row.name), row.name).toContain(row);
    }
    expect(RBPF_MNEMONICS.get('add')?.map((r) => r.name)).toEqual(['add64_imm', 'add64_reg']);
    expect(RBPF_MNEMONICS.get('lddw_map_fd')?.map((r) => r.name)).toEqual(['lddw_map_fd']);
    expect(RBPF_MNEMONICS.get('swap64')?.map((r) => r.name)).toEqual(['bswap64']);
  });

  it('bpf_conformance immediates: 0x... is the raw 32-bit field, decimal must fit int32', () => {
    expect(assemble('mov %r0, 0xffffff80')).toEqual(assemble('mov %r0, -128'));
    expect(assemble('mov32 %r0, 0x80000000')).toEqual(assemble('mov32 %r0, -2147483648'));
    expect(assemble('lddw %r0, 0xffffffffffffffff')).toEqual(assemble('lddw %r0, -1'));
  });

  it('atomics with lock, calls, callx', () => {
    expect(assemble('lock add [%r10-8], %r1')).toEqual(
      bytesOf(['atomic_add64', { dst: 10, src: 1, off: -8 }]),
    );
    expect(assemble('lock fetch xor32 [%r10-4], %r3')).toEqual(
      bytesOf(['atomic_fetch_xor32', { dst: 10, src: 3, off: -4 }]),
    );
    expect(assemble('lock cmpxchg [%r10-8], %r1')).toEqual(
      bytesOf(['atomic_cmpxchg64', { dst: 10, src: 1, off: -8 }]),
    );
    expect(assemble('atomic_xchg32 [%r1+0], %r2')).toEqual(assemble('lock xchg32 [%r1], %r2'));
    expect(assemble('call %r2')).toEqual(bytesOf(['callx', { dst: 2 }]));
    expect(assemble('callx %r2')).toEqual(bytesOf(['callx', { dst: 2 }]));
    expect(assemble('call 5')).toEqual(bytesOf(['call', { imm: 5 }]));
    expect(assemble('call_btf 7')).toEqual(bytesOf(['call_btf', { imm: 7 }]));
    expect(assemble('lddw_map_fd %r1, 3')).toEqual(bytesOf(['lddw_map_fd', { dst: 1, imm64: 3n }]));
    expect(assemble('ldabsh 12')).toEqual(bytesOf(['ldabsh', { imm: 12 }]));
    expect(assemble('ldindw %r3, 4')).toEqual(bytesOf(['ldindw', { src: 3, imm: 4 }]));
  });

  it('labels, the implicit exit label and local calls', () => {
    const text = [
      'mov %r0, 0',
      'loop:',
      'add %r0, 1',
      'jne %r0, 10, loop   # back',
      'ja exit',
      'call local fn',
      'fn: exit',
      'exit',
    ].join('\n');
    const { bytes, insns, labels } = assembleProgram(text);
    expect(insns.map((i) => [i.row.name, i.line, i.off, i.imm])).toEqual([
      ['mov64_imm', 1, 0, 0],
      ['add64_imm', 3, 0, 1],
      ['jne_imm', 4, -2, 10],
      ['ja', 5, 1, 0],
      ['call_local', 6, 0, 0],
      ['exit', 7, 0, 0],
      ['exit', 8, 0, 0],
    ]);
    expect(labels.get('loop')).toBe(1);
    expect(labels.get('fn')).toBe(5);
    expect(labels.get('exit')).toBe(5);
    expect(bytes.length).toBe(7 * 8);
    // An explicit `exit` label wins over the implicit one; `call LABEL` is a local call too.
    const explicit = assembleProgram('ja exit\nexit\nexit:\nexit\ncall fn\nfn:');
    expect(explicit.insns[0].off).toBe(1);
    expect(explicit.insns[3].row.name).toBe('call_local');
    expect(explicit.insns[3].imm).toBe(0);
    // lddw takes two slots, and jumps count slots.
    expect(assembleProgram('ja over\nlddw %r1, 1\nover: exit').insns[0].off).toBe(2);
    expect(assembleProgram('ja32 end\nexit\nend: exit').insns[0].imm).toBe(1);
  });

  it('comments, blank lines, CRLF and tabs', () => {
    const text = '# header\r\n\r\n\tmov r0, 1 ; one\r\n// nothing\r\nexit // done\r\n';
    const { insns } = assembleProgram(text);
    expect(insns.map((i) => [i.line, i.column, i.row.name])).toEqual([
      [3, 2, 'mov64_imm'],
      [5, 1, 'exit'],
    ]);
    expect(assemble('')).toEqual(new Uint8Array(0));
  });
});

describe('LLVM syntax', () => {
  const llvm = (text: string) => assemble(text, { syntax: 'llvm' });

  it('the forms the kernel docs and llvm-objdump use', () => {
    expect(llvm('r0 = 1')).toEqual(bytesOf(['mov64_imm', { imm: 1 }]));
    expect(llvm('w1 += w2')).toEqual(bytesOf(['add32_reg', { dst: 1, src: 2 }]));
    expect(llvm('r1 = 0x1234 ll')).toEqual(bytesOf(['lddw', { dst: 1, imm64: 0x1234n }]));
    expect(llvm('if r1 > 3 goto +2')).toEqual(bytesOf(['jgt_imm', { dst: 1, imm: 3, off: 2 }]));
    expect(llvm('if w1 s< w2 goto -4')).toEqual(
      bytesOf(['jslt32_reg', { dst: 1, src: 2, off: -4 }]),
    );
    expect(llvm('r0 = *(u32 *)(r1 + 4)')).toEqual(bytesOf(['ldxw', { src: 1, off: 4 }]));
    expect(llvm('*(u64 *)(r10 - 8) = r1')).toEqual(
      bytesOf(['stxdw', { dst: 10, src: 1, off: -8 }]),
    );
    expect(llvm('r1 = *(s8 *)(r1 + 0)')).toEqual(bytesOf(['ldxsb', { dst: 1, src: 1 }]));
    expect(llvm('r4 = (s16)r2')).toEqual(bytesOf(['movsx1664', { dst: 4, src: 2 }]));
    expect(llvm('r1 s/= r3')).toEqual(bytesOf(['sdiv64_reg', { dst: 1, src: 3 }]));
    expect(llvm('r0 = bswap64 r0')).toEqual(bytesOf(['bswap64', {}]));
    expect(llvm('r0 = be16 r0')).toEqual(bytesOf(['be16', {}]));
    expect(llvm('lock *(u64 *)(r7 + 0) += r0')).toEqual(bytesOf(['atomic_add64', { dst: 7 }]));
    expect(llvm('r0 = atomic_fetch_add((u64 *)(r1 + 0), r0)')).toEqual(
      bytesOf(['atomic_fetch_add64', { dst: 1 }]),
    );
    expect(llvm('gotol +1000')).toEqual(bytesOf(['ja32', { imm: 1000 }]));
    expect(llvm('call 1')).toEqual(bytesOf(['call', { imm: 1 }]));
    expect(llvm('callx r2')).toEqual(bytesOf(['callx', { dst: 2 }]));
    expect(llvm('exit')).toEqual(bytesOf(['exit', {}]));
    expect(llvm('r0 = -r0')).toEqual(bytesOf(['neg64', {}]));
    expect(llvm('w0 = w1')).toEqual(bytesOf(['mov32_reg', { src: 1 }]));
    expect(llvm('r1 = xchg_64(r1 + 0, r2)'.replace('r1 =', 'r2 ='))).toEqual(
      bytesOf(['atomic_xchg64', { dst: 1, src: 2 }]),
    );
    expect(llvm('w0 = cmpxchg32_32(r1 - 8, w0, w2)')).toEqual(
      bytesOf(['atomic_cmpxchg32', { dst: 1, src: 2, off: -8 }]),
    );
  });

  it('spacing, case and comments as llvm-mc accepts them', () => {
    expect(llvm('r0=-1')).toEqual(llvm('r0 = -1'));
    expect(llvm('*(u64*)(r1+0)=r2')).toEqual(llvm('*(u64 *)(r1 + 0) = r2'));
    expect(llvm('if r0==1 goto +1')).toEqual(llvm('if r0 == 1 goto +1'));
    expect(llvm('R0 = 1\nEXIT')).toEqual(llvm('r0 = 1\nexit'));
    expect(llvm('\t.text\nr0 = 1 # one\nexit // two')).toEqual(llvm('r0 = 1\nexit'));
  });
});
