/**
 * The ELF layer: bytes to sections, symbols and relocations, with every offset, size and count
 * checked against the file before it is used. Nothing here knows about BPF programs or maps
 * beyond the machine number and the relocation types; {@link loadBpfObject} builds on it.
 */
import { decodeName } from './decode-name.js';
import {
  ELF64_SIZES,
  ELFCLASS64,
  ELFDATA2LSB,
  EM_BPF,
  ET_REL,
  EV_CURRENT,
  RELOCATION_WIDTH,
  SectionType,
  SpecialSection,
  SymbolType,
} from './elf-constants.js';
import {
  ELF_BAD_HEADER,
  ELF_BAD_RELOCATION,
  ELF_BAD_SECTION,
  ELF_BAD_STRING,
  ELF_BAD_SYMBOL,
  ELF_NOT_ELF,
  ELF_SECTION_OVERLAP,
  ELF_TRUNCATED,
  ELF_UNSUPPORTED,
  ElfError,
} from './elf-errors.js';

/** The fields of the ELF header the loader uses. */
export interface ElfHeader {
  /** `e_type`: always `ET_REL` (1) for an object that parsed. */
  readonly type: number;
  /** `e_machine`: always `EM_BPF` (247) for an object that parsed. */
  readonly machine: number;
  /** `e_flags`. */
  readonly flags: number;
  /** `EI_OSABI`. */
  readonly osAbi: number;
  /** `e_shoff`: file offset of the section header table (0 when there is none). */
  readonly sectionHeaderOffset: number;
  /** Number of section headers, index 0 (the null section) included. */
  readonly sectionCount: number;
  /** Index of the section that holds the section names (0 when there is none). */
  readonly sectionNameIndex: number;
}

/** One section header, with its name and a view of its bytes. */
export interface ElfSection {
  /** Index in the section header table. */
  readonly index: number;
  readonly name: string;
  /** `sh_type` (see {@link SectionType}). */
  readonly type: number;
  /** `sh_flags` (see `SectionFlag`). */
  readonly flags: number;
  /** File offset of the contents. */
  readonly offset: number;
  /** Size in bytes (for `NOBITS` sections like `.bss`, the size in memory). */
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly align: number;
  readonly entrySize: number;
  /** The contents, a view into the input (empty for `NOBITS`). Do not write to it. */
  readonly data: Uint8Array;
}

/** One symbol table entry. */
export interface ElfSymbol {
  /** Index in the symbol table, as relocations refer to it. */
  readonly index: number;
  /** The name; a section symbol (`STT_SECTION`) without one takes its section's name. */
  readonly name: string;
  /** `st_value`: in a relocatable object, the offset inside the symbol's section. */
  readonly value: number;
  readonly size: number;
  /** `ELF64_ST_TYPE` (see {@link SymbolType}). */
  readonly type: number;
  /** `ELF64_ST_BIND` (see `SymbolBind`). */
  readonly bind: number;
  /** `ELF64_ST_VISIBILITY`. */
  readonly visibility: number;
  /** `st_shndx` as stored: a section index or a special value (`SpecialSection`). */
  readonly sectionIndex: number;
  /** The section the symbol is defined in; `undefined` for undefined, absolute and common symbols. */
  readonly section: ElfSection | undefined;
}

/** One relocation entry. */
export interface ElfRelocation {
  /** Index of the entry in its relocation section. */
  readonly index: number;
  /** Byte offset of the relocated field inside the target section. */
  readonly offset: number;
  /** Relocation type (see `BpfReloc`). */
  readonly type: number;
  readonly symbol: ElfSymbol;
  /** Explicit addend of a RELA entry; 0 for REL entries, whose addend is in the relocated field. */
  readonly addend: number;
}

/** A `.rel<name>` (or `.rela<name>`) section and the section it applies to. */
export interface ElfRelocationSection {
  readonly section: ElfSection;
  readonly target: ElfSection;
  readonly relocations: readonly ElfRelocation[];
}

/** A parsed ELF object: what {@link parseElf} returns. */
export interface ElfObject {
  readonly header: ElfHeader;
  /** Every section, index 0 (the null section) included, in header table order. */
  readonly sections: readonly ElfSection[];
  /** The symbol table, index 0 (the null symbol) included; empty when there is none. */
  readonly symbols: readonly ElfSymbol[];
  readonly relocationSections: readonly ElfRelocationSection[];
}

const MAGIC = [0x7f, 0x45, 0x4c, 0x46] as const;

/** Reads a little-endian u64 as a number; values past 2^53 come out approximate but huge, which
 * every caller rejects by comparing with the file's length. */
function u64(view: DataView, at: number): number {
  return view.getUint32(at + 4, true) * 0x1_0000_0000 + view.getUint32(at, true);
}

interface RawSection {
  readonly nameOffset: number;
  readonly type: number;
  readonly flags: number;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly align: number;
  readonly entrySize: number;
}

function readRawSection(view: DataView, at: number): RawSection {
  return {
    nameOffset: view.getUint32(at, true),
    type: view.getUint32(at + 4, true),
    flags: u64(view, at + 8),
    offset: u64(view, at + 24),
    size: u64(view, at + 32),
    link: view.getUint32(at + 40, true),
    info: view.getUint32(at + 44, true),
    align: u64(view, at + 48),
    entrySize: u64(view, at + 56),
  };
}

function hasContents(type: number): boolean {
  return type !== SectionType.NOBITS && type !== SectionType.NULL;
}

function readHeader(bytes: Uint8Array, view: DataView): ElfHeader {
  const magic = Array.from(bytes.subarray(0, 4));
  if (magic.length < 4 || MAGIC.some((b, i) => magic[i] !== b)) {
    throw new ElfError(ELF_NOT_ELF, { magic });
  }
  if (bytes.length < ELF64_SIZES.header) {
    throw new ElfError(ELF_TRUNCATED, {
      section: 'ELF header',
      offset: 0,
      needed: ELF64_SIZES.header,
      available: bytes.length,
    });
  }
  const check = (
    field: 'class' | 'data' | 'version' | 'machine' | 'type',
    value: number,
    expected: number,
  ) => {
    if (value !== expected) throw new ElfError(ELF_UNSUPPORTED, { field, value, expected });
  };
  check('class', bytes[4], ELFCLASS64);
  check('data', bytes[5], ELFDATA2LSB);
  check('version', bytes[6], EV_CURRENT);
  check('machine', view.getUint16(18, true), EM_BPF);
  check('type', view.getUint16(16, true), ET_REL);
  const shoff = u64(view, 40);
  const shentsize = view.getUint16(58, true);
  let shnum = view.getUint16(60, true);
  let shstrndx = view.getUint16(62, true);
  if (shoff === 0) {
    return {
      type: ET_REL,
      machine: EM_BPF,
      flags: view.getUint32(48, true),
      osAbi: bytes[7],
      sectionHeaderOffset: 0,
      sectionCount: 0,
      sectionNameIndex: 0,
    };
  }
  if (shentsize !== ELF64_SIZES.sectionHeader) {
    throw new ElfError(ELF_BAD_HEADER, {
      field: 'e_shentsize',
      value: shentsize,
      reason: `section headers of ELF64 are ${ELF64_SIZES.sectionHeader} bytes`,
    });
  }
  if (shoff < ELF64_SIZES.header) {
    throw new ElfError(ELF_BAD_HEADER, {
      field: 'e_shoff',
      value: shoff,
      reason: 'the section header table overlaps the ELF header',
    });
  }
  if (shoff + ELF64_SIZES.sectionHeader > bytes.length) {
    throw new ElfError(ELF_TRUNCATED, {
      section: 'section header table',
      offset: shoff,
      needed: shoff + ELF64_SIZES.sectionHeader,
      available: bytes.length,
    });
  }
  // Extended numbering: counts that do not fit 16 bits live in section 0.
  if (shnum === 0) shnum = u64(view, shoff + 32);
  if (shstrndx === SpecialSection.XINDEX) shstrndx = view.getUint32(shoff + 40, true);
  const tableEnd = shoff + shnum * ELF64_SIZES.sectionHeader;
  if (tableEnd > bytes.length) {
    throw new ElfError(ELF_TRUNCATED, {
      section: 'section header table',
      offset: shoff,
      needed: tableEnd,
      available: bytes.length,
    });
  }
  if (shstrndx >= shnum) {
    throw new ElfError(ELF_BAD_HEADER, {
      field: 'e_shstrndx',
      value: shstrndx,
      reason: `there are only ${shnum} sections`,
    });
  }
  return {
    type: ET_REL,
    machine: EM_BPF,
    flags: view.getUint32(48, true),
    osAbi: bytes[7],
    sectionHeaderOffset: shoff,
    sectionCount: shnum,
    sectionNameIndex: shstrndx,
  };
}

function checkContentsInFile(raw: RawSection, index: number, name: string, fileLength: number) {
  if (!hasContents(raw.type)) return;
  if (raw.offset > fileLength || raw.size > fileLength - raw.offset) {
    throw new ElfError(ELF_TRUNCATED, {
      section: name,
      sectionIndex: index,
      needed: raw.offset + raw.size,
      available: fileLength,
    });
  }
}

function readSections(bytes: Uint8Array, view: DataView, header: ElfHeader): ElfSection[] {
  const raws: RawSection[] = [];
  for (let i = 0; i < header.sectionCount; i++) {
    raws.push(readRawSection(view, header.sectionHeaderOffset + i * ELF64_SIZES.sectionHeader));
  }
  let names: Uint8Array | undefined;
  if (header.sectionNameIndex !== 0) {
    const raw = raws[header.sectionNameIndex];
    const label = `#${header.sectionNameIndex} (section names)`;
    if (raw.type !== SectionType.STRTAB) {
      throw new ElfError(ELF_BAD_SECTION, {
        section: label,
        sectionIndex: header.sectionNameIndex,
        reason: `the section name table has type ${raw.type}, not SHT_STRTAB (${SectionType.STRTAB})`,
      });
    }
    checkContentsInFile(raw, header.sectionNameIndex, label, bytes.length);
    names = bytes.subarray(raw.offset, raw.offset + raw.size);
  }
  const sections = raws.map((raw, index): ElfSection => {
    let name = '';
    if (names && index !== 0) {
      const decoded = decodeName(names, raw.nameOffset);
      if (typeof decoded !== 'string') {
        throw new ElfError(ELF_BAD_STRING, {
          section: `#${index}`,
          sectionIndex: index,
          table: 'section names',
          reason: decoded.error,
        });
      }
      name = decoded;
    }
    if (index !== 0) checkContentsInFile(raw, index, name, bytes.length);
    const data =
      index !== 0 && hasContents(raw.type)
        ? bytes.subarray(raw.offset, raw.offset + raw.size)
        : bytes.subarray(0, 0);
    return { index, name, ...raw, data };
  });
  checkOverlaps(sections, header);
  return sections;
}

/** No two sections' contents may share bytes, nor with the ELF header or the section header table. */
function checkOverlaps(sections: readonly ElfSection[], header: ElfHeader) {
  interface Range {
    readonly start: number;
    readonly end: number;
    readonly name: string;
    readonly index?: number;
  }
  const ranges: Range[] = [
    { start: 0, end: ELF64_SIZES.header, name: 'ELF header' },
    {
      start: header.sectionHeaderOffset,
      end: header.sectionHeaderOffset + header.sectionCount * ELF64_SIZES.sectionHeader,
      name: 'section header table',
    },
  ];
  for (const s of sections) {
    if (s.index !== 0 && hasContents(s.type) && s.size > 0) {
      ranges.push({ start: s.offset, end: s.offset + s.size, name: s.name, index: s.index });
    }
  }
  ranges.sort((a, b) => a.start - b.start || a.end - b.end);
  const describe = (r: Range) =>
    r.index === undefined ? `the ${r.name}` : `section '${r.name}' (#${r.index})`;
  let widest = ranges[0];
  for (let i = 1; i < ranges.length; i++) {
    const r = ranges[i];
    if (r.start < widest.end && r.end > r.start) {
      // Name a section first: the header and the table are never the culprits' names.
      const [inner, outer] = r.index === undefined ? [widest, r] : [r, widest];
      throw new ElfError(ELF_SECTION_OVERLAP, {
        section: inner.name,
        sectionIndex: inner.index,
        other: describe(outer),
      });
    }
    if (r.end > widest.end) widest = r;
  }
}

function expectEntrySize(section: ElfSection, size: number) {
  if (section.entrySize !== size) {
    throw new ElfError(ELF_BAD_SECTION, {
      section: section.name,
      sectionIndex: section.index,
      reason: `entry size is ${section.entrySize}, expected ${size}`,
    });
  }
  if (section.size % size !== 0) {
    throw new ElfError(ELF_BAD_SECTION, {
      section: section.name,
      sectionIndex: section.index,
      reason: `size ${section.size} is not a whole number of ${size}-byte entries`,
    });
  }
}

function linkedStringTable(sections: readonly ElfSection[], owner: ElfSection): ElfSection {
  const table = owner.link > 0 && owner.link < sections.length ? sections[owner.link] : undefined;
  if (!table || table.type !== SectionType.STRTAB) {
    throw new ElfError(ELF_BAD_SECTION, {
      section: owner.name,
      sectionIndex: owner.index,
      reason: `sh_link ${owner.link} is not a string table`,
    });
  }
  return table;
}

function readSymbols(
  view: DataView,
  sections: readonly ElfSection[],
): {
  symbols: ElfSymbol[];
  table: ElfSection | undefined;
} {
  const tables = sections.filter((s) => s.type === SectionType.SYMTAB);
  if (tables.length === 0) return { symbols: [], table: undefined };
  if (tables.length > 1) {
    throw new ElfError(ELF_BAD_SECTION, {
      section: tables[1].name,
      sectionIndex: tables[1].index,
      reason: `a second symbol table (the first is section #${tables[0].index})`,
    });
  }
  const table = tables[0];
  expectEntrySize(table, ELF64_SIZES.symbol);
  const strings = linkedStringTable(sections, table).data;
  const count = table.size / ELF64_SIZES.symbol;
  const symbols: ElfSymbol[] = [];
  for (let i = 0; i < count; i++) {
    const at = table.offset + i * ELF64_SIZES.symbol;
    const bad = (reason: string) =>
      new ElfError(ELF_BAD_SYMBOL, {
        section: table.name,
        sectionIndex: table.index,
        offset: i * ELF64_SIZES.symbol,
        symbol: i,
        reason,
      });
    const nameOffset = view.getUint32(at, true);
    const info = view.getUint8(at + 4);
    const sectionIndex = view.getUint16(at + 6, true);
    let name = '';
    if (nameOffset !== 0) {
      const decoded = decodeName(strings, nameOffset);
      if (typeof decoded !== 'string') {
        throw new ElfError(ELF_BAD_STRING, {
          section: table.name,
          sectionIndex: table.index,
          offset: i * ELF64_SIZES.symbol,
          table: sections[table.link].name,
          reason: `symbol ${i}: ${decoded.error}`,
        });
      }
      name = decoded;
    }
    let section: ElfSection | undefined;
    if (sectionIndex === SpecialSection.XINDEX) {
      throw bad('extended section indices (SHT_SYMTAB_SHNDX) are not supported');
    }
    if (sectionIndex !== SpecialSection.UNDEF && sectionIndex < SpecialSection.LORESERVE) {
      if (sectionIndex >= sections.length) {
        throw bad(`section index ${sectionIndex} is out of range (${sections.length} sections)`);
      }
      section = sections[sectionIndex];
    }
    const type = info & 0xf;
    if (name === '' && type === SymbolType.SECTION && section) name = section.name;
    symbols.push({
      index: i,
      name,
      value: u64(view, at + 8),
      size: u64(view, at + 16),
      type,
      bind: info >> 4,
      visibility: view.getUint8(at + 5) & 0x3,
      sectionIndex,
      section,
    });
  }
  return { symbols, table };
}

function readRelocations(
  view: DataView,
  sections: readonly ElfSection[],
  symbols: readonly ElfSymbol[],
  symbolTable: ElfSection | undefined,
): ElfRelocationSection[] {
  const out: ElfRelocationSection[] = [];
  for (const section of sections) {
    if (section.type !== SectionType.REL && section.type !== SectionType.RELA) continue;
    const rela = section.type === SectionType.RELA;
    const entrySize = rela ? ELF64_SIZES.rela : ELF64_SIZES.rel;
    const where = { section: section.name, sectionIndex: section.index };
    expectEntrySize(section, entrySize);
    if (!symbolTable || section.link !== symbolTable.index) {
      throw new ElfError(ELF_BAD_RELOCATION, {
        ...where,
        reason: `sh_link ${section.link} is not the symbol table`,
      });
    }
    if (section.info === 0 || section.info >= sections.length) {
      throw new ElfError(ELF_BAD_RELOCATION, {
        ...where,
        reason: `sh_info ${section.info} names no section to relocate`,
      });
    }
    const target = sections[section.info];
    const relocations: ElfRelocation[] = [];
    const count = section.size / entrySize;
    for (let i = 0; i < count; i++) {
      const at = section.offset + i * entrySize;
      const offset = u64(view, at);
      const type = view.getUint32(at + 8, true);
      const symbolIndex = view.getUint32(at + 12, true);
      const bad = (reason: string) =>
        new ElfError(ELF_BAD_RELOCATION, {
          ...where,
          offset: i * entrySize,
          entry: i,
          type,
          reason,
        });
      const width = RELOCATION_WIDTH[type];
      if (width === undefined) throw bad('unknown relocation type');
      if (symbolIndex >= symbols.length) {
        throw bad(`symbol index ${symbolIndex} is out of range (${symbols.length} symbols)`);
      }
      if (offset > target.size || width > target.size - offset) {
        throw bad(
          `offset 0x${offset.toString(16)} + ${width} bytes is outside '${target.name}' (${target.size} bytes)`,
        );
      }
      let addend = 0;
      if (rela) {
        const big = view.getBigInt64(at + 16, true);
        if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < -BigInt(Number.MAX_SAFE_INTEGER)) {
          throw bad(`addend ${big} is out of range`);
        }
        addend = Number(big);
      }
      relocations.push({ index: i, offset, type, symbol: symbols[symbolIndex], addend });
    }
    out.push({ section, target, relocations });
  }
  return out;
}

/**
 * Parses a 64-bit little-endian eBPF relocatable ELF object (what `clang -target bpf -c`
 * writes): its header, sections with their names, the symbol table and the relocation sections.
 * Every offset, size and count is checked against the file before it is used, so hostile input
 * costs time and memory in proportion to its length.
 *
 * @throws ElfError (codes 8001-8009) on anything malformed or unsupported.
 * @example
 * const elf = parseElf(bytes);
 * elf.sections.map((s) => s.name); // ['', '.strtab', '.text', 'xdp', '.relxdp', ...]
 */
export function parseElf(bytes: Uint8Array): ElfObject {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = readHeader(bytes, view);
  const sections = readSections(bytes, view, header);
  const { symbols, table } = readSymbols(view, sections);
  const relocationSections = readRelocations(view, sections, symbols, table);
  return { header, sections, symbols, relocationSections };
}

const bySection = new WeakMap<ElfObject, Map<number, ElfSymbol[]>>();

/**
 * The symbols defined in `section`, in symbol table order (grouped once per object, so that
 * callers looping over sections stay linear in the number of symbols).
 *
 * @example
 * symbolsIn(elf, findSection(elf, '.maps')!).map((s) => s.name); // ['blocked_ports']
 */
export function symbolsIn(elf: ElfObject, section: ElfSection): readonly ElfSymbol[] {
  let groups = bySection.get(elf);
  if (!groups) {
    groups = new Map();
    for (const symbol of elf.symbols) {
      if (!symbol.section) continue;
      const list = groups.get(symbol.section.index);
      if (list) list.push(symbol);
      else groups.set(symbol.section.index, [symbol]);
    }
    bySection.set(elf, groups);
  }
  return groups.get(section.index) ?? [];
}

/**
 * The first section with the given name, or `undefined`.
 *
 * @example
 * findSection(parseElf(bytes), 'license')?.data;
 */
export function findSection(elf: ElfObject, name: string): ElfSection | undefined {
  return elf.sections.find((s) => s.index !== 0 && s.name === name);
}
