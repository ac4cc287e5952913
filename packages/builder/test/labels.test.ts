import {
  BUILDER_DUPLICATE_LABEL,
  BUILDER_INVALID_LABEL,
  BUILDER_JUMP_RANGE,
  BUILDER_UNDEFINED_LABEL,
  ProgramBuilder,
  r0,
  r1,
  r2,
} from '@ebpf/builder';
import { decode, isEbpfError } from '@ebpf/isa';
import { describe, expect, it } from 'vitest';

function caught(action: () => unknown): unknown {
  try {
    action();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('labels', () => {
  it('resolves forward and backward jumps to distances from the next slot', () => {
    const insns = decode(
      new ProgramBuilder()
        .label('top') // slot 0
        .mov64(r0, 0) // 0
        .jeq(r1, 4, 'out') // 1 -> 4: +2
        .add64(r0, 1) // 2
        .ja('top') // 3 -> 0: -4
        .label('out')
        .exit() // 4
        .toBytes(),
    );
    expect(insns.map((i) => [i.row.name, i.off])).toEqual([
      ['mov64_imm', 0],
      ['jeq_imm', 2],
      ['add64_imm', 0],
      ['ja', -4],
      ['exit', 0],
    ]);
  });

  it('counts lddw as two slots', () => {
    const insns = decode(
      new ProgramBuilder()
        .jne(r1, r2, 'end')
        .lddw(r0, 1n << 40n)
        .label('end')
        .exit()
        .toBytes(),
    );
    expect(insns[0].off).toBe(2);
    expect(insns[2].pc).toBe(3);
  });

  it('puts the distance of ja32, local calls and code addresses in the immediate', () => {
    const b = new ProgramBuilder()
      .callLocal('fn') // 0 -> 5: +4
      .lddwCodeAddr(r1, 'fn') // 1-2 -> 5: +3 (from slot 2, as the kernel reads it: i + imm + 1)
      .ja32('fn') // 3 -> 5: +1
      .exit() // 4
      .label('fn')
      .mov64(r0, 7) // 5
      .ja32('fn') // 6 -> 5: -2
      .exit();
    const insns = decode(b.toBytes());
    expect(insns.map((i) => [i.row.name, i.imm, i.off])).toEqual([
      ['call_local', 4, 0],
      ['lddw_code_addr', 3, 0],
      ['ja32', 1, 0],
      ['exit', 0, 0],
      ['mov64_imm', 7, 0],
      ['ja32', -2, 0],
      ['exit', 0, 0],
    ]);
    expect(insns[1].imm64).toBe(3n);
  });

  it('takes a raw distance as a number and a label at the very end of the program', () => {
    const insns = decode(new ProgramBuilder().ja(-1).jsgt32(r1, -5, 'end').label('end').toBytes());
    expect(insns[0].off).toBe(-1);
    expect(insns[1].off).toBe(0);
  });

  it('refuses a label used but never defined, naming the instruction', () => {
    const b = new ProgramBuilder().mov64(r0, 0).jeq(r1, 0, 'nowhere');
    const e = caught(() => b.toBytes());
    expect(isEbpfError(e, BUILDER_UNDEFINED_LABEL)).toBe(true);
    if (isEbpfError(e, BUILDER_UNDEFINED_LABEL)) {
      expect(e.pc).toBe(1);
      expect(e.context.label).toBe('nowhere');
      expect(e.message).toContain('insn 1');
      expect(e.kind).toBe('build');
    }
  });

  it('refuses a label defined twice', () => {
    const b = new ProgramBuilder().label('a').exit();
    const e = caught(() => b.label('a'));
    expect(isEbpfError(e, BUILDER_DUPLICATE_LABEL)).toBe(true);
    if (isEbpfError(e, BUILDER_DUPLICATE_LABEL)) {
      expect(e.context.first).toBe(0);
      expect(e.pc).toBe(1);
    }
  });

  it('refuses empty, non-string and register-like label names', () => {
    for (const name of ['', 'r3', 42]) {
      expect(
        isEbpfError(
          caught(() => new ProgramBuilder().label(name as string)),
          BUILDER_INVALID_LABEL,
        ),
      ).toBe(true);
    }
    expect(
      isEbpfError(
        caught(() => new ProgramBuilder().ja('')),
        BUILDER_INVALID_LABEL,
      ),
    ).toBe(true);
  });

  it('refuses a label too far for a 16-bit offset but reaches it with ja32', () => {
    const far = new ProgramBuilder().ja('far');
    for (let i = 0; i < 0x8000; i++) far.exit(); // the label lands 32768 slots past the next one
    far.label('far').exit();
    const e = caught(() => far.toInsns());
    expect(isEbpfError(e, BUILDER_JUMP_RANGE)).toBe(true);
    if (isEbpfError(e, BUILDER_JUMP_RANGE)) expect(e.context.distance).toBe(0x8000);

    const near = new ProgramBuilder().ja('far');
    for (let i = 0; i < 0x7fff; i++) near.exit();
    near.label('far').exit();
    expect(near.toInsns()[0].off).toBe(0x7fff);

    const long = new ProgramBuilder().ja32('far');
    for (let i = 0; i < 0x8000; i++) long.exit();
    long.label('far').exit();
    expect(long.toInsns()[0].imm).toBe(0x8000);
  });

  it('lets the builder go on after a finished program', () => {
    const b = new ProgramBuilder().ja('x');
    expect(() => b.toBytes()).toThrow();
    b.label('x').exit();
    expect(decode(b.toBytes()).map((i) => i.off)).toEqual([0, 0]);
  });
});
