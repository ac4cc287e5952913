/**
 * The committed ELF fixtures (tools/fixtures/elf, built by its build.sh with clang-19) and
 * readers for their llvm-readelf listings, which the tests use as the oracle.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FIXTURE_DIR = fileURLToPath(
  new URL('../../../../tools/fixtures/elf/', import.meta.url),
);

/** Names of the committed objects, without `.o`. */
export const FIXTURES: readonly string[] = readdirSync(FIXTURE_DIR)
  .filter((f) => f.endsWith('.o'))
  .map((f) => f.slice(0, -2))
  .sort();

export function readFixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(`${FIXTURE_DIR}${name}.o`));
}

export interface ListedSection {
  index: number;
  name: string;
  type: string;
  offset: number;
  size: number;
  entsize: number;
  flags: string;
  link: number;
  info: number;
  align: number;
}

export interface ListedRelocation {
  section: string;
  offset: number;
  type: string;
  symbol: string;
}

export interface ListedSymbol {
  index: number;
  value: number;
  size: number;
  type: string;
  bind: string;
  ndx: string;
  name: string;
}

export interface Listing {
  sections: ListedSection[];
  relocations: ListedRelocation[];
  symbols: ListedSymbol[];
}

/** Reads `NAME.readelf.txt` (llvm-readelf -S -r -s). */
export function readListing(name: string): Listing {
  const text = readFileSync(`${FIXTURE_DIR}${name}.readelf.txt`, 'utf8');
  const sections: ListedSection[] = [];
  const relocations: ListedRelocation[] = [];
  const symbols: ListedSymbol[] = [];
  let relocationSection = '';
  for (const line of text.split('\n')) {
    const s =
      /^\s*\[\s*(\d+)\] (.*?)\s+(NULL|PROGBITS|NOBITS|STRTAB|SYMTAB|REL|RELA|LLVM_ADDRSIG)\s+([0-9a-f]{16}) ([0-9a-f]+) ([0-9a-f]+) ([0-9a-f]+)\s+([A-Za-z]*)\s+(\d+)\s+(\d+)\s+(\d+)$/.exec(
        line,
      );
    if (s) {
      sections.push({
        index: Number(s[1]),
        name: s[2].trim(),
        type: s[3],
        offset: Number.parseInt(s[5], 16),
        size: Number.parseInt(s[6], 16),
        entsize: Number.parseInt(s[7], 16),
        flags: s[8],
        link: Number(s[9]),
        info: Number(s[10]),
        align: Number(s[11]),
      });
      continue;
    }
    const head = /^Relocation section '(.*)' at offset/.exec(line);
    if (head) {
      relocationSection = head[1];
      continue;
    }
    const r = /^([0-9a-f]{16})\s+[0-9a-f]{16}\s+(R_BPF_\w+)\s+[0-9a-f]{16}\s+(.*)$/.exec(line);
    if (r) {
      relocations.push({
        section: relocationSection,
        offset: Number.parseInt(r[1], 16),
        type: r[2],
        symbol: r[3].trim(),
      });
      continue;
    }
    const y = /^\s*(\d+): ([0-9a-f]{16})\s+(\d+) (\w+)\s+(\w+)\s+\w+\s+(\w+) ?(.*)$/.exec(line);
    if (y) {
      symbols.push({
        index: Number(y[1]),
        value: Number.parseInt(y[2], 16),
        size: Number(y[3]),
        type: y[4],
        bind: y[5],
        ndx: y[6],
        name: y[7],
      });
    }
  }
  return { sections, relocations, symbols };
}
