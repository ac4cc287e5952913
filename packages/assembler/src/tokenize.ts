/**
 * Splits one source line into tokens. Both syntaxes share the lexer: words (mnemonics,
 * registers, labels, `%r1`), numbers (decimal and `0x` hex, unsigned; signs are operators), and
 * operators (longest match first, so `<<=` is one token, and `s>=`, `s/=`... are one token when
 * the `s` touches the operator). Comments (`#`, `;`, `//`) end the line.
 */
import { ASM_BAD_NUMBER, ASM_UNEXPECTED_CHARACTER, AsmError } from './asm-errors.js';

/** One token of a line, with its 1-based column. */
export interface Token {
  readonly kind: 'word' | 'number' | 'op';
  /** The text as written. */
  readonly text: string;
  /** For numbers, the value (always non-negative). */
  readonly value: bigint;
  readonly column: number;
}

/** The operators, longest first so that the lexer takes the longest match. */
const OPERATORS = [
  's>>=',
  '<<=',
  '>>=',
  's/=',
  's%=',
  's>=',
  's<=',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '|=',
  '&=',
  '^=',
  '==',
  '!=',
  '>=',
  '<=',
  's>',
  's<',
  '>',
  '<',
  '=',
  '+',
  '-',
  '*',
  '(',
  ')',
  '[',
  ']',
  ',',
  ':',
  '&',
] as const;

const isDigit = (c: string) => c >= '0' && c <= '9';
const isWordStart = (c: string) =>
  (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === '.' || c === '$';
const isWordPart = (c: string) => isWordStart(c) || isDigit(c);

/** Where the comment of a line starts (`#`, `;` or `//`), or the line's length. */
export function findCommentStart(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '#' || c === ';') return i;
    if (c === '/' && text[i + 1] === '/') return i;
  }
  return text.length;
}

/**
 * Tokens of one line (comments dropped).
 *
 * @param text the line, without its line break
 * @param line the 1-based line number, for errors
 * @throws AsmError on a character that starts no token or a malformed number
 * @example
 * tokenizeLine('if r1 s>= 3 goto +2', 1).map((t) => t.text); // ['if', 'r1', 's>=', '3', 'goto', '+', '2']
 */
export function tokenizeLine(text: string, line: number): Token[] {
  const end = findCommentStart(text);
  const tokens: Token[] = [];
  let i = 0;
  while (i < end) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    const column = i + 1;
    // `s` glued to a comparison or compound operator is LLVM's signed variant.
    if (c === 's' && !isWordPart(text[i + 1] ?? '')) {
      const op = OPERATORS.find((o) => o.startsWith('s') && text.startsWith(o, i));
      if (op) {
        tokens.push({ kind: 'op', text: op, value: 0n, column });
        i += op.length;
        continue;
      }
    }
    if (isWordStart(c) || (c === '%' && isWordStart(text[i + 1] ?? ''))) {
      let j = i + 1;
      while (j < end && isWordPart(text[j])) j++;
      tokens.push({ kind: 'word', text: text.slice(i, j), value: 0n, column });
      i = j;
      continue;
    }
    if (isDigit(c)) {
      let j = i + 1;
      while (j < end && isWordPart(text[j])) j++;
      const raw = text.slice(i, j);
      const match = /^(?:0[xX]([0-9a-fA-F]+)|([0-9]+))$/.exec(raw);
      if (!match) {
        throw new AsmError(ASM_BAD_NUMBER, { line, column, source: text, text: raw });
      }
      const value = match[1] !== undefined ? BigInt(`0x${match[1]}`) : BigInt(match[2]);
      tokens.push({ kind: 'number', text: raw, value, column });
      i = j;
      continue;
    }
    const op = OPERATORS.find((o) => !o.startsWith('s') && text.startsWith(o, i));
    if (op) {
      tokens.push({ kind: 'op', text: op, value: 0n, column });
      i += op.length;
      continue;
    }
    throw new AsmError(ASM_UNEXPECTED_CHARACTER, { line, column, source: text, character: c });
  }
  return tokens;
}
