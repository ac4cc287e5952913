/**
 * Turns the file given to `ebpf run` into bytecode, telling the kinds apart by content: an ELF
 * object (magic `\x7fELF`), assembly text (a `.s`/`.asm` name, or content that is text), or raw
 * bytecode (everything else).
 */
import { assemble } from '@ebpf/assembler';
import { isElf, loadElfProgram } from './run-elf-object.js';

/** What a program file turned out to be. */
export type ProgramFileKind = 'elf' | 'asm' | 'raw';

/** The assembler syntaxes `--syntax` accepts. */
export const SYNTAXES = ['rbpf', 'llvm'] as const;
export type Syntax = (typeof SYNTAXES)[number];

/**
 * Whether `bytes` look like text: non-empty valid UTF-8 with no control characters other than
 * tab, line feed, carriage return and form feed. Bytecode nearly always holds zero bytes, so it
 * never passes.
 */
export function looksLikeText(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return false;
  for (const b of bytes) {
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) return false;
    if (b === 0x7f) return false;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * Guesses the syntax of assembly text: LLVM's when some line, comments aside, has an `=` or a
 * `goto` (`r0 = 1`, `if r1 > 2 goto +3`), which rbpf's syntax never has; rbpf's otherwise.
 *
 * @example
 * guessSyntax('w0 += 1\nexit'); // 'llvm'
 */
export function guessSyntax(text: string): Syntax {
  for (const line of text.split('\n')) {
    const code = line.replace(/(#|\/\/|;).*$/, '');
    if (/=|\bgoto\b/.test(code)) return 'llvm';
  }
  return 'rbpf';
}

/**
 * Decides the kind of a program file from its name and content.
 *
 * @example
 * detectProgramKind('prog.s', bytes); // 'asm'
 */
export function detectProgramKind(path: string, bytes: Uint8Array): ProgramFileKind {
  if (isElf(bytes)) return 'elf';
  if (/\.(s|asm)$/i.test(path) || looksLikeText(bytes)) return 'asm';
  return 'raw';
}

/**
 * Reads a program file's bytecode: assembles text with `syntax` (guessed when not given), loads
 * an ELF object with `@ebpf/elf` and takes the linked bytes of the program `section`/`program`
 * choose (map references stay `lddw` src 5/6 by map index), and passes raw bytecode through.
 * Assembler and ELF problems are thrown as typed `EbpfError`s.
 */
export function loadProgramBytes(
  path: string,
  bytes: Uint8Array,
  options: { syntax?: Syntax; section?: string; program?: string } = {},
): { kind: ProgramFileKind; code: Uint8Array } {
  const kind = detectProgramKind(path, bytes);
  switch (kind) {
    case 'elf':
      return { kind, code: loadElfProgram(bytes, path, options).program.bytes };
    case 'asm': {
      const text = new TextDecoder().decode(bytes);
      return { kind, code: assemble(text, { syntax: options.syntax ?? guessSyntax(text) }) };
    }
    case 'raw':
      return { kind, code: bytes };
  }
}
