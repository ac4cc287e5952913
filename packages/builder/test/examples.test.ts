import { decode } from '@ebpf/isa';
import { describe, expect, it } from 'vitest';
import { buildRbpfReadmeProgram } from '../examples/rbpf-readme.ts';
import { buildSumLoop } from '../examples/sum-loop.ts';

describe('examples', () => {
  it('rbpf-readme gives the bytes rbpf README shows for its insn_builder example', () => {
    // The byte listing printed in qmonnet/rbpf's README for `add64 r1, 0x605 / mov64 r2, 0x32 /
    // mov64 r1, r0 / be16 r0 / neg64 r2 / exit`, which its builder example reproduces.
    const expected = [
      0x07, 0x01, 0x00, 0x00, 0x05, 0x06, 0x00, 0x00, 0xb7, 0x02, 0x00, 0x00, 0x32, 0x00, 0x00,
      0x00, 0xbf, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xdc, 0x00, 0x00, 0x00, 0x10, 0x00,
      0x00, 0x00, 0x87, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x95, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00,
    ];
    expect([...buildRbpfReadmeProgram()]).toEqual(expected);
  });

  it('sum-loop (the package guide) jumps back three instructions to its label', () => {
    const insns = decode(buildSumLoop().toBytes(), { strict: true });
    expect(insns.map((i) => i.row.name)).toEqual([
      'mov64_imm',
      'ldxw',
      'add64_reg',
      'sub64_imm',
      'jne_imm',
      'stxdw',
      'exit',
    ]);
    expect(insns[4].off).toBe(2 - 5);
    expect([insns[1].dst, insns[1].src, insns[5].dst, insns[5].src, insns[5].off]).toEqual([
      2, 1, 10, 0, -8,
    ]);
  });
});
