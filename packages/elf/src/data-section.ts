/**
 * Global data: the `.rodata*`, `.data*` and `.bss*` sections, which the loader turns into
 * internal array maps as libbpf does (`internal-maps.ts`). Programs refer to a data section
 * through its map: `lddw` src 6 with imm = `mapIndex` (see `link-program.ts`).
 */
import { SectionFlag, SectionType, SymbolType } from './elf-constants.js';
import { ELF_DATA_TOO_LARGE, ElfError } from './elf-errors.js';
import { type ElfObject, type ElfSection, symbolsIn } from './parse-elf.js';

/** A variable in a data section. */
export interface DataSymbol {
  readonly name: string;
  /** Offset inside the section. */
  readonly offset: number;
  readonly size: number;
}

/** One global-data section and its initial contents. */
export interface DataSection {
  /** Position in `BpfObject.data`. */
  readonly index: number;
  /**
   * Index of the section's internal map in `BpfObject.maps`: what a linked `lddw` (src 6, map
   * value by index) carries in its imm. `undefined` for an empty section, which has no map.
   */
  readonly mapIndex: number | undefined;
  /** The section name: `.rodata`, `.rodata.str1.1`, `.data`, `.bss`, ... */
  readonly name: string;
  /** Index of the section in the ELF file. */
  readonly sectionIndex: number;
  /** `rodata` for `.rodata*`, `data` for `.data*`, `bss` for `.bss*`. */
  readonly kind: 'rodata' | 'data' | 'bss';
  /** Whether programs may not write it: true for sections without `SHF_WRITE` (`.rodata`). */
  readonly readOnly: boolean;
  readonly size: number;
  /** A fresh copy of the initial contents (zeros for `.bss`), `size` bytes long. */
  readonly bytes: Uint8Array;
  /** Named variables in the section, by offset. */
  readonly symbols: readonly DataSymbol[];
}

/** Default limit on the zero-filled sections' total size (the bytes are allocated), 16 MiB. */
export const DEFAULT_MAX_BSS_SIZE = 16 * 1024 * 1024;

/** The data kind a section name means, or `undefined` when it is no data section. */
export function dataKindOf(name: string): DataSection['kind'] | undefined {
  for (const kind of ['rodata', 'data', 'bss'] as const) {
    if (name === `.${kind}` || name.startsWith(`.${kind}.`)) return kind;
  }
  return undefined;
}

/** Whether `section` is a global-data section: allocated, not code, named `.rodata*`/`.data*`/`.bss*`. */
export function isDataSection(section: ElfSection): boolean {
  return (
    (section.type === SectionType.PROGBITS || section.type === SectionType.NOBITS) &&
    (section.flags & SectionFlag.ALLOC) !== 0 &&
    (section.flags & SectionFlag.EXECINSTR) === 0 &&
    dataKindOf(section.name) !== undefined
  );
}

/**
 * The object's data sections in file order, with copies of their contents. Non-empty sections
 * get map indices from `firstMapIndex` on (their internal maps follow the declared maps).
 *
 * @throws ElfError ELF_DATA_TOO_LARGE when the `NOBITS` sections (whose bytes the file does not
 * hold, so nothing else bounds them) add up to more than `maxBssSize`.
 */
export function collectDataSections(
  elf: ElfObject,
  maxBssSize = DEFAULT_MAX_BSS_SIZE,
  firstMapIndex = 0,
): DataSection[] {
  const out: DataSection[] = [];
  let mapIndex = firstMapIndex;
  let zeroFilled = 0;
  for (const section of elf.sections) {
    if (section.index === 0 || !isDataSection(section)) continue;
    if (section.type === SectionType.NOBITS) {
      zeroFilled += section.size;
      if (zeroFilled > maxBssSize) {
        throw new ElfError(ELF_DATA_TOO_LARGE, {
          section: section.name,
          sectionIndex: section.index,
          size: section.size,
          max: maxBssSize - (zeroFilled - section.size),
        });
      }
    }
    const bytes = new Uint8Array(section.size);
    if (section.type !== SectionType.NOBITS) bytes.set(section.data);
    const symbols = symbolsIn(elf, section)
      .filter((s) => s.name !== '' && s.type !== SymbolType.SECTION && s.type !== SymbolType.FILE)
      .map((s) => ({ name: s.name, offset: s.value, size: s.size }))
      .sort((a, b) => a.offset - b.offset);
    out.push({
      index: out.length,
      mapIndex: section.size > 0 ? mapIndex++ : undefined,
      name: section.name,
      sectionIndex: section.index,
      kind: dataKindOf(section.name)!,
      readOnly: (section.flags & SectionFlag.WRITE) === 0,
      size: section.size,
      bytes,
      symbols,
    });
  }
  return out;
}
