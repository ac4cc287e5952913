/**
 * Text to bytes, in two passes: parse every line (labels and one instruction per line) and give
 * each instruction its slot index, then resolve label targets and encode through `@ebpf/isa`.
 */
import { type DecodedInsn, encodeInsn, INSN_SIZE, isEbpfError, MAX_PROGRAM_INSNS } from '@ebpf/isa';
import {
  ASM_BAD_OPTION,
  ASM_DUPLICATE_LABEL,
  ASM_IMM_RANGE,
  ASM_JUMP_RANGE,
  ASM_PROGRAM_TOO_LONG,
  ASM_UNDEFINED_LABEL,
  ASM_UNKNOWN_DIRECTIVE,
  AsmError,
} from './asm-errors.js';
import { parseLlvmStatement } from './llvm-syntax.js';
import { parseRbpfStatement } from './rbpf-syntax.js';
import type { LabelDef, Statement } from './statement.js';
import { TokenCursor } from './token-cursor.js';
import { tokenizeLine } from './tokenize.js';

/** The two text syntaxes. */
export const SYNTAXES = Object.freeze(['rbpf', 'llvm'] as const);
/** `'rbpf'` or `'llvm'`. */
export type Syntax = (typeof SYNTAXES)[number];

/** How to read the text. */
export interface AssembleOptions {
  /**
   * `'rbpf'` (default): rbpf's syntax and its bpf_conformance form (`%r1`, `lock`, `call local`,
   * the implicit `exit` label). `'llvm'`: what llvm-objdump prints and llvm-mc reads.
   */
  readonly syntax?: Syntax;
  /** The line number of the text's first line, for messages (default 1). */
  readonly firstLine?: number;
}

/** An assembled instruction: the decoded fields and form, and where it was written. */
export interface AssembledInsn extends DecodedInsn {
  /** 1-based source line. */
  readonly line: number;
  /** 1-based column of the instruction's first token. */
  readonly column: number;
}

/** A whole assembled program. */
export interface AssembledProgram {
  readonly bytes: Uint8Array;
  readonly insns: readonly AssembledInsn[];
  /** Label name to the slot index it names. */
  readonly labels: ReadonlyMap<string, number>;
}

/** Directives LLVM prints around code; they carry nothing the bytes need. */
const IGNORED_DIRECTIVES = new Set([
  '.text',
  '.section',
  '.globl',
  '.global',
  '.p2align',
  '.align',
  '.type',
  '.size',
  '.file',
  '.local',
  '.weak',
  '.hidden',
]);

interface ParsedLine {
  readonly line: number;
  readonly source: string;
  readonly statement: Statement;
  readonly pc: number;
}

/** The label the bpf_conformance syntax gives the first `exit` instruction. */
const IMPLICIT_EXIT_LABEL = 'exit';

function checkOptions(options: AssembleOptions): { syntax: Syntax; firstLine: number } {
  const syntax = options.syntax ?? 'rbpf';
  const firstLine = options.firstLine ?? 1;
  if (!SYNTAXES.includes(syntax)) {
    throw new AsmError(ASM_BAD_OPTION, {
      line: firstLine,
      column: 1,
      source: '',
      option: 'syntax',
      value: String(syntax),
    });
  }
  if (!Number.isSafeInteger(firstLine)) {
    throw new AsmError(ASM_BAD_OPTION, {
      line: 1,
      column: 1,
      source: '',
      option: 'firstLine',
      value: String(firstLine),
    });
  }
  return { syntax, firstLine };
}

/**
 * Assembles a program and keeps each instruction's source position.
 *
 * @throws AsmError, and nothing else, on any text that is not a valid program
 * @example
 * const { bytes, insns } = assembleProgram('mov r0, 1\nexit');
 * insns.map((i) => [i.line, i.row.name]); // [[1, 'mov64_imm'], [2, 'exit']]
 */
export function assembleProgram(text: string, options: AssembleOptions = {}): AssembledProgram {
  const { syntax, firstLine } = checkOptions(options);
  const parseStatement = syntax === 'llvm' ? parseLlvmStatement : parseRbpfStatement;
  const lines = String(text).split(/\r\n|\n|\r/);
  const parsed: ParsedLine[] = [];
  const labels = new Map<string, { pc: number; line: number }>();
  let pc = 0;
  for (let i = 0; i < lines.length; i++) {
    const source = lines[i];
    const line = firstLine + i;
    const tokens = tokenizeLine(source, line);
    const cursor = new TokenCursor(tokens, line, source);
    const defs: LabelDef[] = [];
    while (cursor.peek()?.kind === 'word' && cursor.isNext(':', 1)) {
      const t = cursor.next()!;
      cursor.next();
      defs.push({ name: t.text, column: t.column });
    }
    for (const def of defs) {
      const first = labels.get(def.name);
      if (first) {
        throw new AsmError(ASM_DUPLICATE_LABEL, {
          line,
          column: def.column,
          source,
          label: def.name,
          firstLine: first.line,
        });
      }
      labels.set(def.name, { pc, line });
    }
    if (cursor.atEnd()) continue;
    const head = cursor.peek()!;
    if (head.kind === 'word' && head.text.startsWith('.')) {
      if (!IGNORED_DIRECTIVES.has(head.text.toLowerCase())) {
        throw new AsmError(ASM_UNKNOWN_DIRECTIVE, {
          line,
          column: head.column,
          source,
          directive: head.text,
        });
      }
      continue;
    }
    const statement = parseStatement(cursor);
    parsed.push({ line, source, statement, pc });
    pc += statement.row.slots;
    if (pc > MAX_PROGRAM_INSNS) {
      throw new AsmError(ASM_PROGRAM_TOO_LONG, {
        line,
        column: statement.column,
        source,
        slots: pc,
        max: MAX_PROGRAM_INSNS,
      });
    }
  }
  if (syntax === 'rbpf' && !labels.has(IMPLICIT_EXIT_LABEL)) {
    const firstExit = parsed.find((p) => p.statement.row.kind === 'exit');
    if (firstExit) labels.set(IMPLICIT_EXIT_LABEL, { pc: firstExit.pc, line: firstExit.line });
  }

  const bytes = new Uint8Array(pc * INSN_SIZE);
  const insns: AssembledInsn[] = [];
  for (const { line, source, statement, pc: at } of parsed) {
    const fields = { off: statement.off, imm: statement.imm };
    const { target } = statement;
    if (target) {
      const dest = labels.get(target.label);
      const position = { line, column: target.column, source };
      if (!dest) throw new AsmError(ASM_UNDEFINED_LABEL, { ...position, label: target.label });
      const distance = dest.pc - at - 1;
      const bits = target.field === 'off' ? 16 : 32;
      if (distance < -(2 ** (bits - 1)) || distance >= 2 ** (bits - 1)) {
        throw new AsmError(ASM_JUMP_RANGE, { ...position, label: target.label, distance, bits });
      }
      fields[target.field] = distance;
    }
    const insn = {
      opcode: statement.row.opcode,
      dst: statement.dst,
      src: statement.src,
      off: fields.off,
      imm: fields.imm,
      ...(statement.imm64 === undefined ? {} : { imm64: statement.imm64 }),
    };
    try {
      encodeInsn(insn, bytes, at);
    } catch (e) {
      // The parsers check every field, so this is a guard: report it as text, never rethrow.
      if (!isEbpfError(e)) throw e;
      throw new AsmError(ASM_IMM_RANGE, {
        line,
        column: statement.column,
        source,
        value: BigInt(insn.imm),
        min: -(2n ** 31n),
        max: 2n ** 32n - 1n,
      });
    }
    insns.push({ ...insn, row: statement.row, pc: at, line, column: statement.column });
  }
  return {
    bytes,
    insns,
    labels: new Map([...labels].map(([name, { pc: p }]) => [name, p])),
  };
}

/**
 * Assembles a program to its bytes (8 per slot, little-endian).
 *
 * @throws AsmError, and nothing else, on any text that is not a valid program
 * @example
 * assemble('mov r0, 1\nexit');                          // 16 bytes
 * assemble('r0 = 1\nexit', { syntax: 'llvm' });         // the same 16 bytes
 * assemble('ja exit\nmov %r0, 2\nexit');                // bpf_conformance form
 */
export function assemble(text: string, options: AssembleOptions = {}): Uint8Array {
  return assembleProgram(text, options).bytes;
}
