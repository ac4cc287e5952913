import { describe, expect, test } from 'vitest';
import {
  parseElf,
  RELOCATION_NAMES,
  SectionFlag,
  SectionType,
  SpecialSection,
  SymbolBind,
  SymbolType,
} from '../src/index.js';
import { FIXTURES, readFixture, readListing } from './support/fixtures.js';

const TYPE_NAMES: Record<number, string> = {
  [SectionType.NULL]: 'NULL',
  [SectionType.PROGBITS]: 'PROGBITS',
  [SectionType.SYMTAB]: 'SYMTAB',
  [SectionType.STRTAB]: 'STRTAB',
  [SectionType.RELA]: 'RELA',
  [SectionType.NOBITS]: 'NOBITS',
  [SectionType.REL]: 'REL',
  1879002115: 'LLVM_ADDRSIG',
};

const SYMBOL_TYPES: Record<number, string> = {
  [SymbolType.NOTYPE]: 'NOTYPE',
  [SymbolType.OBJECT]: 'OBJECT',
  [SymbolType.FUNC]: 'FUNC',
  [SymbolType.SECTION]: 'SECTION',
  [SymbolType.FILE]: 'FILE',
};
const BINDS: Record<number, string> = {
  [SymbolBind.LOCAL]: 'LOCAL',
  [SymbolBind.GLOBAL]: 'GLOBAL',
  [SymbolBind.WEAK]: 'WEAK',
};

function ndxOf(sectionIndex: number): string {
  if (sectionIndex === SpecialSection.UNDEF) return 'UND';
  if (sectionIndex === SpecialSection.ABS) return 'ABS';
  return String(sectionIndex);
}

test('there are fixtures to check', () => {
  expect(FIXTURES.length).toBeGreaterThanOrEqual(8);
});

describe.each(FIXTURES)('%s.o agrees with llvm-readelf', (name) => {
  const elf = parseElf(readFixture(name));
  const listing = readListing(name);

  test('section headers', () => {
    expect(listing.sections.length).toBeGreaterThan(5);
    expect(elf.sections.length).toBe(listing.sections.length);
    for (const want of listing.sections) {
      const got = elf.sections[want.index];
      expect(got.name).toBe(want.name);
      expect(TYPE_NAMES[got.type]).toBe(want.type);
      expect(got.offset).toBe(want.offset);
      expect(got.size).toBe(want.size);
      expect(got.entrySize).toBe(want.entsize);
      expect(got.link).toBe(want.link);
      expect(got.info).toBe(want.info);
      expect(got.align).toBe(want.align);
      expect((got.flags & SectionFlag.WRITE) !== 0).toBe(want.flags.includes('W'));
      expect((got.flags & SectionFlag.ALLOC) !== 0).toBe(want.flags.includes('A'));
      expect((got.flags & SectionFlag.EXECINSTR) !== 0).toBe(want.flags.includes('X'));
      if (got.type !== SectionType.NOBITS && got.index !== 0)
        expect(got.data.length).toBe(want.size);
    }
  });

  test('symbols', () => {
    expect(listing.symbols.length).toBeGreaterThan(3);
    expect(elf.symbols.length).toBe(listing.symbols.length);
    for (const want of listing.symbols) {
      const got = elf.symbols[want.index];
      expect(got.value).toBe(want.value);
      expect(got.size).toBe(want.size);
      expect(SYMBOL_TYPES[got.type]).toBe(want.type);
      expect(BINDS[got.bind]).toBe(want.bind);
      expect(ndxOf(got.sectionIndex)).toBe(want.ndx);
      expect(got.name).toBe(want.name);
    }
  });

  test('relocations', () => {
    const got = elf.relocationSections.flatMap(({ section, relocations }) =>
      relocations.map((r) => ({
        section: section.name,
        offset: r.offset,
        type: RELOCATION_NAMES[r.type],
        symbol: r.symbol.name,
      })),
    );
    expect(listing.relocations.length).toBeGreaterThan(0);
    expect(got).toEqual(listing.relocations);
    for (const { section, target } of elf.relocationSections) {
      expect(section.name).toBe(`.rel${target.name}`);
    }
  });
});
