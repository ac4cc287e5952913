/**
 * A reader for bpf_conformance `.data` files: text in, object out, no file system.
 *
 * The format is line-based: everything after `#` is dropped on every line, empty lines are
 * skipped, and a line containing `--` starts a section named by the first keyword found, in the
 * order `asm`, `result`, `mem`, `raw`, `no register offset`, ` c`, `error`.
 */
import { ASM_BAD_DATA_FILE, AsmError } from './asm-errors.js';

/** The sections of one conformance test. */
export interface ConformanceData {
  /** The `-- asm` program (comments removed), one instruction or label per line. */
  readonly asm?: string;
  /** The 1-based line of the file where `asm`'s first line stands (pass as `firstLine`). */
  readonly asmFirstLine?: number;
  /** The `-- raw` program, one 64-bit slot per entry. */
  readonly raw?: readonly bigint[];
  /** The `-- mem` input bytes. */
  readonly mem?: Uint8Array;
  /** The expected r0, as an unsigned 64-bit value. */
  readonly result?: bigint;
  /** The expected error text (`-- error`). */
  readonly error?: string;
  /** The `-- c` source, when the file gives one (informational). */
  readonly c?: string;
  /** The free text after `-- no register offset` (a uBPF JIT hint). */
  readonly noRegisterOffset?: string;
}

type Section = 'asm' | 'result' | 'mem' | 'raw' | 'noRegisterOffset' | 'c' | 'error';

/** Section keywords in the order the upstream runner tries them. */
const SECTION_KEYWORDS: readonly (readonly [string, Section])[] = [
  ['asm', 'asm'],
  ['result', 'result'],
  ['mem', 'mem'],
  ['raw', 'raw'],
  ['no register offset', 'noRegisterOffset'],
  [' c', 'c'],
  ['error', 'error'],
];

function fail(line: number, source: string, column: number, problem: string): never {
  throw new AsmError(ASM_BAD_DATA_FILE, { line, column, source, problem });
}

function parseInteger(text: string, line: number, source: string): bigint {
  const t = text.trim();
  const column = source.indexOf(t) + 1;
  const m = /^(-?)(?:0[xX]([0-9a-fA-F]+)|([0-9]+))$/.exec(t);
  if (!m) fail(line, source, column, `malformed number '${t}'`);
  const magnitude = m[2] !== undefined ? BigInt(`0x${m[2]}`) : BigInt(m[3]);
  const value = m[1] === '-' ? -magnitude : magnitude;
  if (value < -(1n << 63n) || value >= 1n << 64n) {
    fail(line, source, column, `number '${t}' does not fit 64 bits`);
  }
  return BigInt.asUintN(64, value);
}

/**
 * Reads a bpf_conformance `.data` file.
 *
 * @throws AsmError (ASM_BAD_DATA_FILE) on an unknown section, a malformed number or memory byte
 * @example
 * const t = parseConformanceData('-- asm\nmov %r0, 1\nexit\n-- result\n0x1\n');
 * t.result; // 1n
 * assemble(t.asm!, { firstLine: t.asmFirstLine });
 */
export function parseConformanceData(text: string): ConformanceData {
  const lines = String(text).split(/\r\n|\n|\r/);
  const content: Record<Section, { line: number; text: string }[] | undefined> = {
    asm: undefined,
    result: undefined,
    mem: undefined,
    raw: undefined,
    noRegisterOffset: undefined,
    c: undefined,
    error: undefined,
  };
  let section: Section | undefined;
  for (let i = 0; i < lines.length; i++) {
    const source = lines[i];
    const hash = source.indexOf('#');
    const body = (hash === -1 ? source : source.slice(0, hash)).trimEnd();
    if (body.trim() === '') continue;
    const dashes = body.indexOf('--');
    if (dashes !== -1) {
      const found = SECTION_KEYWORDS.find(([keyword]) => body.includes(keyword));
      if (!found) fail(i + 1, source, dashes + 1, `unknown section '${body.trim()}'`);
      section = found[1];
      content[section] ??= [];
      continue;
    }
    if (section === undefined) {
      fail(i + 1, source, 1, 'text before the first section (-- asm, -- raw, -- result...)');
    }
    content[section]!.push({ line: i + 1, text: body });
  }

  const out: {
    -readonly [K in keyof ConformanceData]: ConformanceData[K];
  } = {};
  if (content.asm) {
    // Comment and blank lines were dropped: pad them back so that line numbers stay exact.
    const first = content.asm[0]?.line ?? 1;
    const padded: string[] = [];
    for (const l of content.asm) {
      while (first + padded.length < l.line) padded.push('');
      padded.push(l.text);
    }
    out.asm = padded.join('\n');
    out.asmFirstLine = first;
  }
  if (content.raw) {
    out.raw = content.raw.map((l) => parseInteger(l.text, l.line, lines[l.line - 1]));
  }
  if (content.mem) {
    const bytes: number[] = [];
    for (const l of content.mem) {
      const re = /\S+/g;
      for (let m = re.exec(l.text); m !== null; m = re.exec(l.text)) {
        if (!/^[0-9a-fA-F]{1,2}$/.test(m[0])) {
          fail(l.line, lines[l.line - 1], m.index + 1, `malformed memory byte '${m[0]}'`);
        }
        bytes.push(Number.parseInt(m[0], 16));
      }
    }
    out.mem = Uint8Array.from(bytes);
  }
  if (content.result) {
    const [first, ...more] = content.result;
    if (first === undefined) fail(lines.length, '', 1, 'empty -- result section');
    if (more.length > 0) fail(more[0].line, lines[more[0].line - 1], 1, 'more than one result');
    out.result = parseInteger(first.text, first.line, lines[first.line - 1]);
  }
  if (content.error) out.error = content.error.map((l) => l.text).join('\n');
  if (content.c) out.c = content.c.map((l) => l.text).join('\n');
  if (content.noRegisterOffset) {
    out.noRegisterOffset = content.noRegisterOffset.map((l) => l.text).join('\n');
  }
  return out;
}

/**
 * The bytes of a `-- raw` program: each 64-bit value stored little-endian.
 *
 * @example
 * rawToBytes([0x95n]); // Uint8Array [0x95, 0, 0, 0, 0, 0, 0, 0]
 */
export function rawToBytes(raw: readonly bigint[]): Uint8Array {
  const bytes = new Uint8Array(raw.length * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < raw.length; i++) view.setBigUint64(i * 8, BigInt.asUintN(64, raw[i]), true);
  return bytes;
}
