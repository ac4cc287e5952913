import { readFileSync } from 'node:fs';
import { isEbpfError } from '@ebpf/isa';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractProgramSection, isElf } from '../src/commands/run-elf-section.js';
import {
  CLI_ELF_MALFORMED,
  CLI_ELF_NEEDS_RELOCATION,
  CLI_ELF_NO_PROGRAM,
  CLI_ELF_SEVERAL_PROGRAMS,
  CLI_ELF_UNSUPPORTED,
  RunError,
} from '../src/commands/run-errors.js';
import { detectProgramKind, guessSyntax, looksLikeText } from '../src/commands/run-program-file.js';

const FIXTURE = new URL('../../../tools/fixtures/block-a-port/', import.meta.url);
const OBJECT = new Uint8Array(readFileSync(new URL('block-a-port.o', FIXTURE)));
const CODE = new Uint8Array(readFileSync(new URL('block-a-port.bin', FIXTURE)));

interface Section {
  name: string;
  type: number;
  flags?: number;
  data?: Uint8Array;
  info?: number;
  entsize?: number;
}

/** A minimal 64-bit little-endian ELF object with the given sections (after the null one). */
function makeElf(
  sections: Section[],
  header: { cls?: number; data?: number; machine?: number } = {},
) {
  const names = ['', ...sections.map((s) => s.name), '.shstrtab'];
  const strtab: number[] = [];
  const nameOffsets = names.map((n) => {
    const at = strtab.length;
    strtab.push(...new TextEncoder().encode(n), 0);
    return at;
  });
  const all: Section[] = [
    { name: '', type: 0 },
    ...sections,
    { name: '.shstrtab', type: 3, data: new Uint8Array(strtab) },
  ];
  let offset = 64;
  const placed = all.map((s) => {
    const at = offset;
    offset += s.data?.length ?? 0;
    return at;
  });
  const shoff = (offset + 7) & ~7;
  const bytes = new Uint8Array(shoff + all.length * 64);
  const view = new DataView(bytes.buffer);
  bytes.set([0x7f, 0x45, 0x4c, 0x46, header.cls ?? 2, header.data ?? 1, 1]);
  view.setUint16(16, 1, true);
  view.setUint16(18, header.machine ?? 247, true);
  view.setBigUint64(0x28, BigInt(shoff), true);
  view.setUint16(0x34, 64, true);
  view.setUint16(0x3a, 64, true);
  view.setUint16(0x3c, all.length, true);
  view.setUint16(0x3e, all.length - 1, true);
  all.forEach((s, i) => {
    if (s.data) bytes.set(s.data, placed[i]!);
    const at = shoff + i * 64;
    view.setUint32(at, nameOffsets[i]!, true);
    view.setUint32(at + 4, s.type, true);
    view.setBigUint64(at + 8, BigInt(s.flags ?? 0), true);
    view.setBigUint64(at + 24, BigInt(placed[i]!), true);
    view.setBigUint64(at + 32, BigInt(s.data?.length ?? 0), true);
    view.setUint32(at + 44, s.info ?? 0, true);
    view.setBigUint64(at + 56, BigInt(s.entsize ?? 0), true);
  });
  return bytes;
}

const EXIT = new Uint8Array([0x95, 0, 0, 0, 0, 0, 0, 0]);
const code = (name: string, data = EXIT): Section => ({ name, type: 1, flags: 0x6, data });

function codeOf(f: () => unknown): number | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof RunError) return e.code;
    throw e;
  }
  return undefined;
}

describe('ebpf run: the simple ELF reader', () => {
  it('takes the program section out of the committed block-a-port object, byte for byte as llvm-objcopy did', () => {
    expect(isElf(OBJECT)).toBe(true);
    const { name, code: bytes } = extractProgramSection(OBJECT, 'block-a-port.o');
    expect(name).toBe('classifier');
    expect(bytes).toEqual(CODE);
  });

  it('finds a section by name with --section, and says so when it is not there', () => {
    expect(extractProgramSection(OBJECT, 'x.o', 'classifier').code).toEqual(CODE);
    expect(codeOf(() => extractProgramSection(OBJECT, 'x.o', 'xdp'))).toBe(CLI_ELF_NO_PROGRAM);
  });

  it('skips empty executable sections (.text of an object without subprograms)', () => {
    const elf = makeElf([code('.text', new Uint8Array()), code('xdp')]);
    expect(extractProgramSection(elf, 'x.o')).toEqual({ name: 'xdp', code: EXIT });
  });

  it('refuses an object with several programs, naming them, unless --section picks one', () => {
    const elf = makeElf([code('xdp'), code('tc')]);
    let error: unknown;
    try {
      extractProgramSection(elf, 'two.o');
    } catch (e) {
      error = e;
    }
    expect(isEbpfError(error, CLI_ELF_SEVERAL_PROGRAMS)).toBe(true);
    expect((error as RunError).message).toBe(
      'two.o: several program sections (xdp, tc); choose one with --section',
    );
    expect((error as RunError).kind).toBe('load');
    expect(extractProgramSection(elf, 'two.o', 'tc').name).toBe('tc');
  });

  it('refuses a program with relocations against it (it needs the ELF loader)', () => {
    const elf = makeElf([
      code('xdp'),
      { name: '.relxdp', type: 9, info: 1, entsize: 16, data: new Uint8Array(32) },
    ]);
    expect(codeOf(() => extractProgramSection(elf, 'r.o'))).toBe(CLI_ELF_NEEDS_RELOCATION);
  });

  it('refuses objects without code, 32-bit, big-endian or non-eBPF objects', () => {
    expect(codeOf(() => extractProgramSection(makeElf([]), 'e.o'))).toBe(CLI_ELF_NO_PROGRAM);
    expect(codeOf(() => extractProgramSection(makeElf([code('a')], { cls: 1 }), 'e.o'))).toBe(
      CLI_ELF_UNSUPPORTED,
    );
    expect(codeOf(() => extractProgramSection(makeElf([code('a')], { data: 2 }), 'e.o'))).toBe(
      CLI_ELF_UNSUPPORTED,
    );
    expect(codeOf(() => extractProgramSection(makeElf([code('a')], { machine: 62 }), 'e.o'))).toBe(
      CLI_ELF_UNSUPPORTED,
    );
    expect(codeOf(() => extractProgramSection(OBJECT.subarray(0, 40), 'e.o'))).toBe(
      CLI_ELF_MALFORMED,
    );
  });

  it('turns any corruption of a real object into a typed error or a section, never a crash', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(OBJECT.length - 1), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.nat(OBJECT.length),
        (edits, cut) => {
          const bytes = OBJECT.slice(0, Math.max(cut, 4));
          for (const [at, value] of edits) if (at >= 4 && at < bytes.length) bytes[at] = value;
          try {
            const { code: out } = extractProgramSection(bytes, 'fuzz.o');
            expect(out.length).toBeLessThanOrEqual(bytes.length);
          } catch (e) {
            expect(e).toBeInstanceOf(RunError);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('ebpf run: telling program files apart', () => {
  it('knows ELF by its magic, text by extension or content, and bytecode otherwise', () => {
    expect(detectProgramKind('prog.bin', OBJECT)).toBe('elf');
    expect(detectProgramKind('prog.o', CODE)).toBe('raw');
    expect(detectProgramKind('prog', new TextEncoder().encode('mov r0, 1\nexit\n'))).toBe('asm');
    expect(detectProgramKind('prog.s', new Uint8Array([0xff]))).toBe('asm');
    expect(detectProgramKind('prog.ASM', CODE)).toBe('asm');
  });

  it('never takes bytecode with a zero byte, or invalid UTF-8, for text', () => {
    expect(looksLikeText(new Uint8Array())).toBe(false);
    expect(looksLikeText(new TextEncoder().encode('r0 = 1\r\n\texit # é\n'))).toBe(true);
    expect(looksLikeText(new Uint8Array([0x61, 0xc3]))).toBe(false);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (bytes) => {
        if (bytes.includes(0)) expect(looksLikeText(bytes)).toBe(false);
      }),
    );
  });
});

describe('ebpf run: guessing the assembly syntax', () => {
  it("takes '=' or 'goto' outside comments for LLVM's syntax, and anything else for rbpf's", () => {
    expect(guessSyntax('r0 = 1\nexit\n')).toBe('llvm');
    expect(guessSyntax('if r1 > 2 goto +3\nexit')).toBe('llvm');
    expect(guessSyntax('LBB0_1:\n  w0 += w1\n')).toBe('llvm');
    expect(guessSyntax('mov r0, 1 # r0 = 1\nja +0 // goto\nexit ; = ')).toBe('rbpf');
    expect(guessSyntax('lock fetch add [%r1+0], %r2\nexit')).toBe('rbpf');
    expect(guessSyntax('')).toBe('rbpf');
  });
});
