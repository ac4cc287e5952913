import { readFileSync } from 'node:fs';
import { isEbpfError } from '@ebpf/isa';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isElf, loadElfProgram, objectNameOf } from '../src/commands/run-elf-object.js';
import { CLI_ELF_NO_PROGRAM } from '../src/commands/run-errors.js';
import {
  detectProgramKind,
  guessSyntax,
  loadProgramBytes,
  looksLikeText,
} from '../src/commands/run-program-file.js';
import { UsageError } from '../src/usage-error.js';

const FIXTURE = new URL('../../../tools/fixtures/block-a-port/', import.meta.url);
const OBJECT = new Uint8Array(readFileSync(new URL('block-a-port.o', FIXTURE)));
const CODE = new Uint8Array(readFileSync(new URL('block-a-port.bin', FIXTURE)));
const TWO = new Uint8Array(
  readFileSync(new URL('../../../tools/fixtures/elf/two-programs.o', import.meta.url)),
);

describe('ebpf run: ELF objects through @ebpf/elf', () => {
  it('takes the program out of the committed block-a-port object, byte for byte as llvm-objcopy did', () => {
    const { object, program } = loadElfProgram(OBJECT, 'block-a-port.o', {});
    expect(program).toMatchObject({
      name: 'block_a_port',
      section: 'classifier',
      type: 'sched_cls',
    });
    expect(program.bytes).toEqual(CODE);
    expect(object.license).toBe('Dual MIT/GPL');
    expect(loadProgramBytes('block-a-port.o', OBJECT)).toEqual({ kind: 'elf', code: CODE });
  });

  it('finds a section or program by name, and says so when it is not there', () => {
    expect(loadElfProgram(OBJECT, 'x.o', { section: 'classifier' }).program.name).toBe(
      'block_a_port',
    );
    expect(loadElfProgram(TWO, 'two.o', { program: 'xdp_second' }).program.section).toBe('xdp');
    let error: unknown;
    try {
      loadElfProgram(OBJECT, 'x.o', { section: 'xdp' });
    } catch (e) {
      error = e;
    }
    expect(isEbpfError(error, CLI_ELF_NO_PROGRAM)).toBe(true);
    expect(() => loadElfProgram(OBJECT, 'x.o', { program: 'nope' })).toThrow(UsageError);
  });

  it('refuses to guess among several programs, naming them all', () => {
    expect(() => loadElfProgram(TWO, 'two.o', { section: 'xdp' })).toThrow(
      /2 programs \(xdp_first \(section xdp\), xdp_second \(section xdp\)\)/,
    );
  });

  it('names objects as libbpf does, for the internal maps', () => {
    expect(objectNameOf('dir/sub/xdp-firewall.o')).toBe('xdp-firewall');
    expect(objectNameOf('prog')).toBe('prog');
  });

  it('turns any corruption of a real object into a typed error or a program, never a crash', () => {
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
          expect(isElf(bytes)).toBe(true);
          try {
            const { program } = loadElfProgram(bytes, 'fuzz.o', {});
            expect(program.bytes.length % 8).toBe(0);
          } catch (e) {
            if (!(e instanceof UsageError)) expect(isEbpfError(e)).toBe(true);
          }
        },
      ),
      { numRuns: 1000 },
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
