import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CpuVersion, decodeAt, OPCODE_TABLE } from '@ebpf/isa';
import { describe, expect, it } from 'vitest';
import { disassemble, disassembleInsns } from '../src/index.js';
import { readElfSections, SHF_EXECINSTR } from './elf-sections.js';
import { GOLDENS_DIR, parseObjdump, readGoldenLines } from './goldens-io.js';

const corpus = readGoldenLines('llvm-insns.txt');
const display = readGoldenLines('llvm-display.txt');
const corpusV1 = readGoldenLines('llvm-insns-v1.txt');

describe('LLVM syntax equals llvm-objdump-19 on the instruction corpus', () => {
  it('the corpus is not empty and holds round-trippable and display-only lines', () => {
    expect(corpus.length).toBeGreaterThan(700);
    expect(display.length).toBeGreaterThan(0);
    expect(corpusV1.length).toBe(corpus.length + display.length);
  });

  it('covers every row of the ISA table, most with several field values', () => {
    const perRow = new Map<string, number>();
    for (const line of [...corpus, ...display]) {
      const name = decodeAt(line.bytes, 0).row.name;
      perRow.set(name, (perRow.get(name) ?? 0) + 1);
    }
    const missing = OPCODE_TABLE.filter((r) => !perRow.has(r.name)).map((r) => r.name);
    expect(missing).toEqual([]);
    // Rows with no operands (exit) have a single encoding; every other row has at least three.
    const thin = OPCODE_TABLE.filter((r) => r.uses.length > 0 && (perRow.get(r.name) ?? 0) < 3);
    expect(thin.map((r) => r.name)).toEqual([]);
  });

  for (const [file, lines, cpu] of [
    ['llvm-insns.txt', corpus, 'v4'],
    ['llvm-display.txt', display, 'v4'],
    ['llvm-insns-v1.txt', corpusV1, 'v1'],
  ] as const) {
    it(`${file}: every line (--mcpu=${cpu})`, () => {
      const wrong: string[] = [];
      for (const line of lines) {
        const text = disassemble(line.bytes, { syntax: 'llvm', cpu });
        if (text !== line.text)
          wrong.push(
            `${file}:${line.lineNo} ${line.hex}: got ${JSON.stringify(text)}, LLVM ${JSON.stringify(line.text)}`,
          );
      }
      expect(wrong).toEqual([]);
    });
  }
});

describe('LLVM syntax equals llvm-objdump-19 on objects compiled by clang-19', () => {
  const objects = readdirSync(join(GOLDENS_DIR, 'objects'))
    .filter((f) => f.endsWith('.o'))
    .sort();

  it('there are objects for four programs at -mcpu=v1..v4', () => {
    expect(objects).toHaveLength(16);
  });

  it.each(objects)('%s', (file) => {
    const cpu = /-(v\d)\.o$/.exec(file)![1] as CpuVersion;
    const sections = readElfSections(
      new Uint8Array(readFileSync(join(GOLDENS_DIR, 'objects', file))),
    );
    const dump = parseObjdump(
      readFileSync(join(GOLDENS_DIR, 'objects', file.replace(/\.o$/, '.objdump.txt')), 'utf8'),
    );
    const codeSections = [...sections.values()].filter(
      (s) => (s.flags & SHF_EXECINSTR) !== 0n && s.bytes.length > 0,
    );
    expect([...dump.keys()].sort()).toEqual(codeSections.map((s) => s.name).sort());
    let compared = 0;
    for (const [name, insns] of dump) {
      const entries = disassembleInsns(sections.get(name)!.bytes, { syntax: 'llvm', cpu });
      expect(entries.map((e) => e.pc)).toEqual(insns.map((i) => i.index));
      entries.forEach((entry, k) => {
        expect(`${name}:${entry.pc}: ${entry.text}`).toBe(
          `${name}:${insns[k].index}: ${insns[k].text}`,
        );
      });
      compared += entries.length;
    }
    expect(compared).toBeGreaterThanOrEqual(10);
  });
});

function hasLlvm(): boolean {
  try {
    execFileSync('llvm-mc-19', ['--version'], { stdio: 'ignore' });
    execFileSync('llvm-objdump-19', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('the goldens are what LLVM prints today', () => {
  it('re-running LLVM on the committed inputs reproduces every golden file (only where LLVM is installed)', () => {
    if (!hasLlvm()) {
      // CI has no LLVM: the comparisons above still ran against the committed files.
      console.warn('llvm-mc-19/llvm-objdump-19 not found: goldens not re-generated, only compared');
      expect(corpus.length).toBeGreaterThan(0);
      return;
    }
    const out = mkdtempSync(join(tmpdir(), 'disasm-goldens-'));
    try {
      const script = fileURLToPath(
        new URL('../../../tools/llvm-goldens/generate.mjs', import.meta.url),
      );
      execFileSync(process.execPath, [script, '--recheck', out], { stdio: 'pipe' });
      const files = [
        'llvm-insns.txt',
        'llvm-display.txt',
        'llvm-insns-v1.txt',
        ...readdirSync(join(GOLDENS_DIR, 'objects'))
          .filter((f) => f.endsWith('.objdump.txt'))
          .map((f) => `objects/${f}`),
      ];
      for (const f of files) {
        expect(readFileSync(join(out, f), 'utf8'), f).toBe(
          readFileSync(join(GOLDENS_DIR, f), 'utf8'),
        );
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
    // Running LLVM hundreds of times takes seconds on a busy machine: a bound, not a speed check.
  }, 120_000);
});
