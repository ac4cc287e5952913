/**
 * Error codes of `@ebpf/elf` (range 8000-8999). Never remove, change or reorder codes; add new
 * ones at the end. Every error is an {@link ElfError} of kind `'load'` whose message names the
 * section (and, where there is one, the entry or byte offset) and what is wrong.
 */
import { EbpfError, type EbpfErrorContextOf } from '@ebpf/isa';

/** The file ends before a structure it declares (header, table, entry). */
export const ELF_TRUNCATED = 8001;
/** The file does not start with the ELF magic number. */
export const ELF_NOT_ELF = 8002;
/** A valid ELF file, but not a 64-bit little-endian eBPF relocatable object. */
export const ELF_UNSUPPORTED = 8003;
/** The ELF header holds an impossible value (entry size, counts, string table index). */
export const ELF_BAD_HEADER = 8004;
/** A section header is out of the file, misaligned or inconsistent. */
export const ELF_BAD_SECTION = 8005;
/** Two sections' contents overlap each other or the ELF header or section header table. */
export const ELF_SECTION_OVERLAP = 8006;
/** A name's offset is outside its string table, or the name is unterminated or too long. */
export const ELF_BAD_STRING = 8007;
/** A symbol names a section that does not exist or lies outside its section. */
export const ELF_BAD_SYMBOL = 8008;
/** A relocation section or entry is malformed, or a relocation cannot be applied. */
export const ELF_BAD_RELOCATION = 8009;
/** A code section is not a whole number of instructions, or a function in it is malformed. */
export const ELF_BAD_CODE = 8010;
/** A BPF-to-BPF call or function reference has no function to land on. */
export const ELF_BAD_CALL = 8011;
/** A map declaration (BTF-defined `.maps` or legacy `maps`) is malformed. */
export const ELF_BAD_MAP = 8012;
/** The `.BTF` section is malformed. */
export const ELF_BAD_BTF = 8013;
/** A BTF type chain is cyclic or deeper than the loader follows. */
export const ELF_BTF_TOO_DEEP = 8014;
/** No program has the requested name. */
export const ELF_PROGRAM_NOT_FOUND = 8015;
/** A zero-filled data section (`.bss`) is larger than the loader allows. */
export const ELF_DATA_TOO_LARGE = 8016;
/** Linked programs would be longer than the loader allows (one program, or all together). */
export const ELF_PROGRAM_TOO_LARGE = 8017;

/** Where in the file a problem is: a section's name and index, and an offset inside it. */
export interface ElfWhere {
  /** The section's name (or a structure's name, such as `ELF header`). */
  readonly section: string;
  /** The section's index in the section header table, when the problem is in one section. */
  readonly sectionIndex?: number;
  /** Byte offset inside the section (or the file, for the header), when there is one. */
  readonly offset?: number;
}

declare module '@ebpf/isa' {
  interface EbpfErrorContexts {
    [ELF_TRUNCATED]: ElfWhere & { readonly needed: number; readonly available: number };
    [ELF_NOT_ELF]: { readonly magic: readonly number[] };
    [ELF_UNSUPPORTED]: {
      readonly field: 'class' | 'data' | 'version' | 'machine' | 'type';
      readonly value: number;
      readonly expected: number;
    };
    [ELF_BAD_HEADER]: { readonly field: string; readonly value: number; readonly reason: string };
    [ELF_BAD_SECTION]: ElfWhere & { readonly reason: string };
    [ELF_SECTION_OVERLAP]: ElfWhere & { readonly other: string };
    [ELF_BAD_STRING]: ElfWhere & { readonly table: string; readonly reason: string };
    [ELF_BAD_SYMBOL]: ElfWhere & { readonly symbol: number; readonly reason: string };
    [ELF_BAD_RELOCATION]: ElfWhere & {
      readonly entry?: number;
      readonly type?: number;
      readonly reason: string;
    };
    [ELF_BAD_CODE]: ElfWhere & { readonly reason: string };
    [ELF_BAD_CALL]: ElfWhere & { readonly program: string; readonly reason: string };
    [ELF_BAD_MAP]: ElfWhere & { readonly map: string; readonly reason: string };
    [ELF_BAD_BTF]: ElfWhere & { readonly typeId?: number; readonly reason: string };
    [ELF_BTF_TOO_DEEP]: ElfWhere & { readonly typeId: number; readonly depth: number };
    [ELF_PROGRAM_NOT_FOUND]: { readonly name: string; readonly available: readonly string[] };
    [ELF_DATA_TOO_LARGE]: ElfWhere & { readonly size: number; readonly max: number };
    [ELF_PROGRAM_TOO_LARGE]: ElfWhere & {
      readonly program: string;
      readonly slots: number;
      readonly max: number;
      readonly limit: 'program' | 'object';
    };
  }
}

/** Every code of this package. */
export type ElfErrorCode =
  | typeof ELF_TRUNCATED
  | typeof ELF_NOT_ELF
  | typeof ELF_UNSUPPORTED
  | typeof ELF_BAD_HEADER
  | typeof ELF_BAD_SECTION
  | typeof ELF_SECTION_OVERLAP
  | typeof ELF_BAD_STRING
  | typeof ELF_BAD_SYMBOL
  | typeof ELF_BAD_RELOCATION
  | typeof ELF_BAD_CODE
  | typeof ELF_BAD_CALL
  | typeof ELF_BAD_MAP
  | typeof ELF_BAD_BTF
  | typeof ELF_BTF_TOO_DEEP
  | typeof ELF_PROGRAM_NOT_FOUND
  | typeof ELF_DATA_TOO_LARGE
  | typeof ELF_PROGRAM_TOO_LARGE;

const names: Record<ElfErrorCode, string> = {
  [ELF_TRUNCATED]: 'ELF_TRUNCATED',
  [ELF_NOT_ELF]: 'ELF_NOT_ELF',
  [ELF_UNSUPPORTED]: 'ELF_UNSUPPORTED',
  [ELF_BAD_HEADER]: 'ELF_BAD_HEADER',
  [ELF_BAD_SECTION]: 'ELF_BAD_SECTION',
  [ELF_SECTION_OVERLAP]: 'ELF_SECTION_OVERLAP',
  [ELF_BAD_STRING]: 'ELF_BAD_STRING',
  [ELF_BAD_SYMBOL]: 'ELF_BAD_SYMBOL',
  [ELF_BAD_RELOCATION]: 'ELF_BAD_RELOCATION',
  [ELF_BAD_CODE]: 'ELF_BAD_CODE',
  [ELF_BAD_CALL]: 'ELF_BAD_CALL',
  [ELF_BAD_MAP]: 'ELF_BAD_MAP',
  [ELF_BAD_BTF]: 'ELF_BAD_BTF',
  [ELF_BTF_TOO_DEEP]: 'ELF_BTF_TOO_DEEP',
  [ELF_PROGRAM_NOT_FOUND]: 'ELF_PROGRAM_NOT_FOUND',
  [ELF_DATA_TOO_LARGE]: 'ELF_DATA_TOO_LARGE',
  [ELF_PROGRAM_TOO_LARGE]: 'ELF_PROGRAM_TOO_LARGE',
};

const hex = (n: number) => `0x${n.toString(16)}`;

/** `section 'xdp' (#4) at 0x10` */
function where(w: ElfWhere): string {
  const index = w.sectionIndex === undefined ? '' : ` (#${w.sectionIndex})`;
  const at = w.offset === undefined ? '' : ` at ${hex(w.offset)}`;
  return `section '${w.section}'${index}${at}`;
}

const expectedField = {
  class: 'ELFCLASS64 (2)',
  data: 'little-endian ELFDATA2LSB (1)',
  version: 'EV_CURRENT (1)',
  machine: 'EM_BPF (247)',
  type: 'a relocatable object ET_REL (1)',
} as const;

const messages: { [C in ElfErrorCode]: (ctx: EbpfErrorContextOf<C>) => string } = {
  [ELF_TRUNCATED]: (c) =>
    `${where(c)}: file truncated: needs ${c.needed} bytes, only ${c.available} present`,
  [ELF_NOT_ELF]: (c) =>
    `not an ELF file: magic number is [${c.magic.map(hex).join(', ')}], expected [0x7f, E, L, F]`,
  [ELF_UNSUPPORTED]: (c) =>
    `unsupported ELF ${c.field} ${c.value}: only ${expectedField[c.field]} is loaded`,
  [ELF_BAD_HEADER]: (c) => `ELF header: ${c.field} = ${c.value}: ${c.reason}`,
  [ELF_BAD_SECTION]: (c) => `${where(c)}: ${c.reason}`,
  [ELF_SECTION_OVERLAP]: (c) => `${where(c)}: contents overlap ${c.other}`,
  [ELF_BAD_STRING]: (c) => `${where(c)}: bad name in string table '${c.table}': ${c.reason}`,
  [ELF_BAD_SYMBOL]: (c) => `${where(c)}: symbol ${c.symbol}: ${c.reason}`,
  [ELF_BAD_RELOCATION]: (c) =>
    `${where(c)}: ${c.entry === undefined ? '' : `relocation ${c.entry}`}${
      c.type === undefined ? '' : ` (type ${c.type})`
    }${c.entry === undefined && c.type === undefined ? '' : ': '}${c.reason}`,
  [ELF_BAD_CODE]: (c) => `${where(c)}: ${c.reason}`,
  [ELF_BAD_CALL]: (c) => `${where(c)}: in program '${c.program}': ${c.reason}`,
  [ELF_BAD_MAP]: (c) => `${where(c)}: map '${c.map}': ${c.reason}`,
  [ELF_BAD_BTF]: (c) =>
    `${where(c)}: ${c.typeId === undefined ? '' : `BTF type ${c.typeId}: `}${c.reason}`,
  [ELF_BTF_TOO_DEEP]: (c) =>
    `${where(c)}: BTF type ${c.typeId}: type chain is cyclic or deeper than ${c.depth} links`,
  [ELF_PROGRAM_NOT_FOUND]: (c) =>
    `no program named '${c.name}' (programs: ${c.available.length === 0 ? 'none' : c.available.join(', ')})`,
  [ELF_DATA_TOO_LARGE]: (c) =>
    `${where(c)}: data section of ${c.size} bytes exceeds the limit of ${c.max} bytes`,
  [ELF_PROGRAM_TOO_LARGE]: (c) =>
    `${where(c)}: program '${c.program}' links to ${c.slots} instruction slots or more, over the ${
      c.limit === 'program' ? 'per-program' : "object's total"
    } limit of ${c.max}`,
};

/**
 * A broken, hostile or unsupported ELF object: the only error `@ebpf/elf` throws.
 *
 * @example
 * try { loadBpfObject(bytes); } catch (e) {
 *   if (isEbpfError(e, ELF_BAD_RELOCATION)) console.log(e.context.section, e.context.reason);
 * }
 */
export class ElfError<C extends ElfErrorCode = ElfErrorCode> extends EbpfError<C> {
  constructor(code: C, context: EbpfErrorContextOf<C>, pc?: number) {
    const format = messages[code] as (ctx: EbpfErrorContextOf<C>) => string;
    const at = pc === undefined ? '' : `insn ${pc}: `;
    super('load', code, names[code], `${at}${format(context)}`, context, { pc });
  }
}
