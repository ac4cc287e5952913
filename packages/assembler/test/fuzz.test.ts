import { readdirSync, readFileSync } from 'node:fs';
import { decode, ERROR_CODE_RANGES, OPCODE_TABLE } from '@ebpf/isa';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AsmError, assemble, parseConformanceData, type Syntax } from '../src/index.js';
import { llvmText, rbpfText } from './support/row-text.js';

const [MIN_CODE, MAX_CODE] = ERROR_CODE_RANGES.assembler;

/** Assembling `text` gives bytes that decode, or an AsmError that points into the text. */
function checkOutcome(text: string, syntax: Syntax): void {
  let bytes: Uint8Array;
  try {
    bytes = assemble(text, { syntax });
  } catch (e) {
    expect(e).toBeInstanceOf(AsmError);
    const err = e as AsmError;
    expect(err.code).toBeGreaterThanOrEqual(MIN_CODE);
    expect(err.code).toBeLessThanOrEqual(MAX_CODE);
    expect(err.line).toBeGreaterThanOrEqual(1);
    expect(err.column).toBeGreaterThanOrEqual(1);
    expect(err.message).toMatch(/^line \d+, column \d+: /);
    return;
  }
  expect(bytes.length % 8).toBe(0);
  expect(() => decode(bytes)).not.toThrow();
}

// Valid lines to mutate: every row in both syntaxes, and the conformance corpus.
const FIELDS = { dst: 1, src: 2, off: -3, imm: 4, imm64: 5n };
const RBPF_LINES = [
  ...OPCODE_TABLE.map((r) => rbpfText(r, FIELDS, { hex: false, percent: true })),
  ...readdirSync(new URL('../../../../shared/conformance/tests/', import.meta.url))
    .slice(0, 40)
    .flatMap((f) =>
      (
        parseConformanceData(
          readFileSync(
            new URL(`../../../../shared/conformance/tests/${f}`, import.meta.url),
            'utf8',
          ),
        ).asm ?? ''
      )
        .split('\n')
        .filter((l) => l !== ''),
    ),
];
const LLVM_LINES = OPCODE_TABLE.map((r) => llvmText(r, FIELDS, { hex: false, percent: false }));

/** A valid line with a few characters deleted, inserted or replaced. */
function mutated(lines: readonly string[]) {
  const edit = fc.record({
    at: fc.nat(),
    kind: fc.constantFrom('delete', 'insert', 'replace', 'duplicate'),
    text: fc.oneof(
      fc.constantFrom(
        '-',
        '+',
        '0x',
        '[',
        ']',
        '(',
        ')',
        ',',
        '*',
        'r11',
        '%',
        ':',
        'll',
        ' ',
        '99999999999',
        'w',
      ),
      fc.string({ maxLength: 3 }),
    ),
  });
  return fc
    .tuple(fc.constantFrom(...lines), fc.array(edit, { minLength: 1, maxLength: 3 }))
    .map(([line, edits]) => {
      let s = line;
      for (const e of edits) {
        const at = e.at % (s.length + 1);
        if (e.kind === 'delete') s = s.slice(0, at) + s.slice(at + 1);
        else if (e.kind === 'insert') s = s.slice(0, at) + e.text + s.slice(at);
        else if (e.kind === 'replace') s = s.slice(0, at) + e.text + s.slice(at + e.text.length);
        else s = s.slice(0, at) + s.slice(at, at + 4) + s.slice(at);
      }
      return s;
    });
}

/** Lines made of the syntax's own tokens in random order. */
const TOKENS = [
  'r0',
  'r1',
  'w2',
  '%r3',
  'r10',
  'r11',
  '=',
  '+=',
  's>>=',
  '-',
  '+',
  '*',
  '(',
  ')',
  '[',
  ']',
  ',',
  'u8',
  'u64',
  's16',
  'goto',
  'if',
  '==',
  's<',
  'll',
  'lock',
  'fetch',
  'add',
  'mov',
  'ldxb',
  'stw',
  'lddw',
  'call',
  'local',
  'exit',
  'ja',
  'jeq',
  'skb',
  'xchg_64',
  'cmpxchg32_32',
  'atomic_fetch_or',
  'be16',
  'bswap64',
  '0',
  '1',
  '-1',
  '0xffffffff',
  '0x8000',
  '32768',
  'lbl',
  'lbl:',
  '#',
  ';',
  '__proto__',
  'constructor',
];
const tokenSoup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 10 }).map((t) => t.join(' '));

describe('bad text only ever gives bytes or an AsmError', () => {
  for (const syntax of ['rbpf', 'llvm'] as const) {
    it(`${syntax}: random strings`, () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => checkOutcome(s, syntax)),
        { numRuns: 400 },
      );
    });

    it(`${syntax}: mutated valid lines`, () => {
      const lines = syntax === 'rbpf' ? RBPF_LINES : LLVM_LINES;
      fc.assert(
        fc.property(fc.array(mutated(lines), { minLength: 1, maxLength: 4 }), (ls) =>
          checkOutcome(ls.join('\n'), syntax),
        ),
        { numRuns: 600 },
      );
    });

    it(`${syntax}: token soup`, () => {
      fc.assert(
        fc.property(fc.array(tokenSoup, { minLength: 1, maxLength: 4 }), (ls) =>
          checkOutcome(ls.join('\n'), syntax),
        ),
        { numRuns: 600 },
      );
    });
  }

  it('parseConformanceData: random text gives an object or an AsmError', () => {
    const sections = fc.constantFrom(
      '-- asm',
      '-- raw',
      '-- mem',
      '-- result',
      '-- error',
      '-- c',
      '-- x',
    );
    const lines = fc.array(
      fc.oneof(sections, fc.string({ maxLength: 12 }), fc.constantFrom('0x1', 'ff 00', '12')),
      {
        maxLength: 8,
      },
    );
    fc.assert(
      fc.property(lines, (ls) => {
        try {
          expect(typeof parseConformanceData(ls.join('\n'))).toBe('object');
        } catch (e) {
          expect(e).toBeInstanceOf(AsmError);
        }
      }),
      { numRuns: 400 },
    );
  });
});
