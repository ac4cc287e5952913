/**
 * The numbers of the ELF format (the System V gABI) and of the eBPF ELF conventions (LLVM's BPF
 * relocation types, libbpf's section names) that the loader reads. Values are facts of those
 * formats; the names follow the specifications'.
 */

/** `e_machine` of eBPF objects. */
export const EM_BPF = 247;
/** `e_type` of relocatable objects, what `clang -c` writes. */
export const ET_REL = 1;
/** `EI_CLASS` of 64-bit objects. */
export const ELFCLASS64 = 2;
/** `EI_DATA` of little-endian objects. */
export const ELFDATA2LSB = 1;
/** `EI_VERSION` / `e_version`. */
export const EV_CURRENT = 1;

/** Bytes in the ELF64 header, a section header, a symbol, a REL and a RELA entry. */
export const ELF64_SIZES = Object.freeze({
  header: 64,
  sectionHeader: 64,
  symbol: 24,
  rel: 16,
  rela: 24,
} as const);

/** Section types (`sh_type`). */
export const SectionType = Object.freeze({
  NULL: 0,
  PROGBITS: 1,
  SYMTAB: 2,
  STRTAB: 3,
  RELA: 4,
  NOBITS: 8,
  REL: 9,
} as const);

/** Section flags (`sh_flags`). */
export const SectionFlag = Object.freeze({
  WRITE: 0x1,
  ALLOC: 0x2,
  EXECINSTR: 0x4,
} as const);

/** Special section indices a symbol's `st_shndx` can hold. */
export const SpecialSection = Object.freeze({
  UNDEF: 0,
  /** Start of the reserved range: indices from here up are not sections. */
  LORESERVE: 0xff00,
  ABS: 0xfff1,
  COMMON: 0xfff2,
  /** The real index is in the extended section index table (`SHT_SYMTAB_SHNDX`). */
  XINDEX: 0xffff,
} as const);

/** Symbol types (`ELF64_ST_TYPE`). */
export const SymbolType = Object.freeze({
  NOTYPE: 0,
  OBJECT: 1,
  FUNC: 2,
  SECTION: 3,
  FILE: 4,
} as const);

/** Symbol bindings (`ELF64_ST_BIND`). */
export const SymbolBind = Object.freeze({ LOCAL: 0, GLOBAL: 1, WEAK: 2 } as const);

/**
 * eBPF relocation types (LLVM's `ELFRelocs/BPF.def`, described in the kernel's
 * `Documentation/bpf/llvm_reloc.rst`). All are REL: the addend is in the relocated field.
 */
export const BpfReloc = Object.freeze({
  NONE: 0,
  /** `lddw` (64-bit immediate load): S + A into the two 32-bit immediates. */
  R_BPF_64_64: 1,
  /** 64-bit data word: S + A. */
  R_BPF_64_ABS64: 2,
  /** 32-bit data word: S + A. */
  R_BPF_64_ABS32: 3,
  /** 32-bit data word in `.BTF`/`.BTF.ext`, never resolved at load time. */
  R_BPF_64_NODYLD32: 4,
  /** `call` to a BPF function: (S + A) / 8 - 1 into the immediate. */
  R_BPF_64_32: 10,
} as const);

/** Bytes each relocation type patches, from the relocated offset; used to bound-check entries. */
export const RELOCATION_WIDTH: Readonly<Record<number, number>> = Object.freeze({
  [BpfReloc.NONE]: 0,
  [BpfReloc.R_BPF_64_64]: 16,
  [BpfReloc.R_BPF_64_ABS64]: 8,
  [BpfReloc.R_BPF_64_ABS32]: 4,
  [BpfReloc.R_BPF_64_NODYLD32]: 4,
  [BpfReloc.R_BPF_64_32]: 8,
});

/** Names of the relocation types, for listings and messages. */
export const RELOCATION_NAMES: Readonly<Record<number, string>> = Object.freeze(
  Object.fromEntries(Object.entries(BpfReloc).map(([name, value]) => [value, name])),
);

/** Section names with a meaning to BPF loaders (libbpf's conventions). */
export const SectionName = Object.freeze({
  TEXT: '.text',
  MAPS_BTF: '.maps',
  MAPS_LEGACY: 'maps',
  LICENSE: 'license',
  VERSION: 'version',
  BTF: '.BTF',
} as const);
