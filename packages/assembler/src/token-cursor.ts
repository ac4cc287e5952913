/**
 * A cursor over one line's tokens with the reads both syntaxes share: registers, signed numbers
 * checked against a field's range, and errors that point at the right column.
 */

import type { EbpfErrorContextOf } from '@ebpf/isa';
import { REGISTER_COUNT } from '@ebpf/isa';
import {
  ASM_IMM_RANGE,
  ASM_OFFSET_RANGE,
  ASM_OPERAND_KIND,
  ASM_SYNTAX,
  ASM_UNKNOWN_REGISTER,
  AsmError,
  type AsmErrorCode,
  type AsmPosition,
} from './asm-errors.js';
import type { Token } from './tokenize.js';

/** A register operand: its number and how it was written (`r`/`%r` 64-bit, `w` 32-bit). */
export interface RegisterRef {
  readonly n: number;
  readonly width: 'r' | 'w';
  readonly text: string;
  readonly column: number;
}

/** A signed number as written (sign applied), with whether it was hex. */
export interface NumberRef {
  readonly value: bigint;
  readonly hex: boolean;
  /** Whether an explicit `+` or `-` sign was written. */
  readonly signed: boolean;
  readonly column: number;
}

/** Inclusive bounds of a numeric field. */
export interface Bounds {
  readonly min: bigint;
  readonly max: bigint;
}

/** The signed 16-bit offset field. */
export const INT16: Bounds = { min: -0x8000n, max: 0x7fffn };
/** A signed 32-bit value (decimal rbpf immediates, PC-relative 32-bit targets). */
export const INT32: Bounds = { min: -0x8000_0000n, max: 0x7fff_ffffn };
/** A 32-bit field written either signed or as its raw unsigned bits. */
export const RAW32: Bounds = { min: -0x8000_0000n, max: 0xffff_ffffn };
/** A 64-bit field written either signed or as its raw unsigned bits. */
export const RAW64: Bounds = { min: -(1n << 63n), max: (1n << 64n) - 1n };

const REGISTER_WORD = /^(%?)([rRwW])([0-9]+)$/;

/** Whether a word is shaped like a register (`r3`, `%r12`, `w1`), valid or not. */
export function looksLikeRegister(text: string): boolean {
  return REGISTER_WORD.test(text);
}

/** How a token reads in a message. */
export function describeToken(token: Token | undefined): string {
  return token === undefined ? 'end of line' : `'${token.text}'`;
}

/** Reads one line's tokens front to back. */
export class TokenCursor {
  private index = 0;

  constructor(
    readonly tokens: readonly Token[],
    readonly line: number,
    readonly source: string,
  ) {}

  /** The column just past the last token (where "end of line" errors point). */
  get endColumn(): number {
    const last = this.tokens[this.tokens.length - 1];
    return last === undefined ? 1 : last.column + last.text.length;
  }

  peek(ahead = 0): Token | undefined {
    return this.tokens[this.index + ahead];
  }

  next(): Token | undefined {
    const t = this.tokens[this.index];
    if (t !== undefined) this.index++;
    return t;
  }

  atEnd(): boolean {
    return this.index >= this.tokens.length;
  }

  /** The position of a token (or of the end of the line) for an error context. */
  at(token: Token | undefined): AsmPosition {
    return {
      line: this.line,
      column: token?.column ?? this.endColumn,
      source: this.source,
    };
  }

  fail<C extends AsmErrorCode>(
    code: C,
    token: Token | undefined,
    rest: Omit<EbpfErrorContextOf<C>, keyof AsmPosition>,
  ): never {
    throw new AsmError(code, { ...this.at(token), ...rest } as EbpfErrorContextOf<C>);
  }

  /** Fails with a syntax error at the next token. */
  failExpected(expected: string): never {
    const t = this.peek();
    return this.fail(ASM_SYNTAX, t, { expected, found: describeToken(t) });
  }

  /** Whether the next token is the operator or (case-insensitive) word `text`. */
  isNext(text: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t !== undefined && t.kind !== 'number' && t.text.toLowerCase() === text;
  }

  /** Takes the next token if it is `text`. */
  accept(text: string): boolean {
    if (!this.isNext(text)) return false;
    this.index++;
    return true;
  }

  /** Takes the next token, which must be `text`. */
  expect(text: string): Token {
    if (!this.isNext(text)) this.failExpected(`'${text}'`);
    return this.next()!;
  }

  /** Requires that nothing follows. */
  expectEnd(): void {
    if (!this.atEnd()) this.failExpected('end of line');
  }

  /** Whether the next token is a register-shaped word. */
  isRegisterNext(ahead = 0): boolean {
    const t = this.peek(ahead);
    return t?.kind === 'word' && looksLikeRegister(t.text);
  }

  /**
   * Reads a register. `allowPercent` admits `%r1` (bpf_conformance), `allowW` admits `w1` (LLVM).
   */
  readRegister(options: { allowPercent: boolean; allowW: boolean }): RegisterRef {
    const t = this.peek();
    const m = t?.kind === 'word' ? REGISTER_WORD.exec(t.text) : null;
    if (!t || !m) {
      return this.fail(ASM_OPERAND_KIND, t, { expected: 'a register', found: describeToken(t) });
    }
    const [, percent, letter, digits] = m;
    const width = letter.toLowerCase() === 'w' ? 'w' : 'r';
    if ((percent === '%' && !options.allowPercent) || (width === 'w' && !options.allowW)) {
      return this.fail(ASM_UNKNOWN_REGISTER, t, { register: t.text });
    }
    const n = Number(digits);
    if (digits.length > 2 || n >= REGISTER_COUNT) {
      return this.fail(ASM_UNKNOWN_REGISTER, t, { register: t.text });
    }
    this.index++;
    return { n, width, text: t.text, column: t.column };
  }

  /** Whether a (signed) number comes next. */
  isNumberNext(): boolean {
    const t = this.peek();
    if (t?.kind === 'number') return true;
    return (t?.text === '-' || t?.text === '+') && this.peek(1)?.kind === 'number';
  }

  /** Reads a number with an optional sign. */
  readNumber(): NumberRef {
    const first = this.peek();
    let negative = false;
    let signed = false;
    if (first?.kind === 'op' && (first.text === '-' || first.text === '+')) {
      negative = first.text === '-';
      signed = true;
      this.index++;
    }
    const t = this.peek();
    if (t?.kind !== 'number') {
      return this.fail(ASM_OPERAND_KIND, t, { expected: 'a number', found: describeToken(t) });
    }
    this.index++;
    const hex = /^0[xX]/.test(t.text);
    return { value: negative ? -t.value : t.value, hex, signed, column: first!.column };
  }

  /** Checks a number against an immediate field's bounds and returns it. */
  checkImm(num: NumberRef, bounds: Bounds): bigint {
    if (num.value < bounds.min || num.value > bounds.max) {
      throw new AsmError(ASM_IMM_RANGE, {
        line: this.line,
        column: num.column,
        source: this.source,
        value: num.value,
        min: bounds.min,
        max: bounds.max,
      });
    }
    return num.value;
  }

  /** Checks a number against the signed 16-bit offset field and returns it. */
  checkOffset(num: NumberRef): number {
    if (num.value < INT16.min || num.value > INT16.max) {
      throw new AsmError(ASM_OFFSET_RANGE, {
        line: this.line,
        column: num.column,
        source: this.source,
        value: num.value,
      });
    }
    return Number(num.value);
  }
}

/** The signed 32-bit value of a raw or signed 32-bit field value. */
export function toInt32(value: bigint): number {
  return Number(BigInt.asIntN(32, value));
}
