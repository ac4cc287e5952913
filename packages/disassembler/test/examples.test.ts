import { describe, expect, it } from 'vitest';
import { listReadmeProgram } from '../examples/rbpf-readme.js';
import { toJson } from '../examples/to-json.js';

describe('examples', () => {
  it("rbpf README: the disassembler example prints rbpf's listing", () => {
    expect(listReadmeProgram()).toBe(
      ['add64 r1, 0x605', 'mov64 r2, 0x32', 'mov64 r1, r0', 'be16 r0', 'neg64 r2', 'exit', ''].join(
        '\n',
      ),
    );
  });

  it('to-json: one object per instruction, lddw merged', () => {
    const bytes = new Uint8Array([
      0x18, 0x01, 0x00, 0x00, 0x88, 0x77, 0x66, 0x55, 0x00, 0x00, 0x00, 0x00, 0x44, 0x33, 0x22,
      0x11, 0x55, 0x01, 0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0x95, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00,
    ]);
    const json = JSON.parse(toJson(bytes));
    expect(json.size).toBe(3);
    expect(json.insns[0]).toEqual({
      opc: '0x18',
      dst: '0x1',
      src: '0x0',
      off: '0x0',
      imm: '0x1122334455667788',
      desc: 'lddw r1, 0x1122334455667788',
    });
    expect(json.insns[1]).toEqual({
      opc: '0x55',
      dst: '0x1',
      src: '0x0',
      off: '0xfffd',
      imm: '0xffffffff',
      desc: 'jne r1, 0xffffffff, -0x3',
    });
    expect(json.insns[2].desc).toBe('exit');
  });
});
