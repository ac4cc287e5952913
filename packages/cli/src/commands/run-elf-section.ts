/**
 * Just enough ELF reading for `ebpf run` to take the code out of a simple object: a 64-bit,
 * little-endian eBPF ELF file with one program section and no relocations against it. Full ELF
 * loading (maps, global data, calls across sections) belongs to the later ELF loader.
 */
import {
  CLI_ELF_MALFORMED,
  CLI_ELF_NEEDS_RELOCATION,
  CLI_ELF_NO_PROGRAM,
  CLI_ELF_SEVERAL_PROGRAMS,
  CLI_ELF_UNSUPPORTED,
  RunError,
} from './run-errors.js';

const SHT_PROGBITS = 1;
const SHT_RELA = 4;
const SHT_REL = 9;
const SHF_EXECINSTR = 0x4;
const EM_BPF = 247;
const SECTION_HEADER_SIZE = 64;

/** Whether `bytes` start with the ELF magic number `\x7fELF`. */
export function isElf(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 &&
    bytes[0] === 0x7f &&
    bytes[1] === 0x45 &&
    bytes[2] === 0x4c &&
    bytes[3] === 0x46
  );
}

interface SectionHeader {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly flags: bigint;
  readonly offset: number;
  readonly size: number;
  readonly info: number;
  readonly entsize: number;
}

/**
 * The bytes of the one program section of an eBPF ELF object (or of the section named
 * `section`), with its name. Throws a `RunError` when the object is malformed, not 64-bit
 * little-endian eBPF, has no or several program sections, or has relocations against the chosen
 * one.
 *
 * @example
 * const { name, code } = extractProgramSection(objectBytes, 'prog.o'); // name: 'xdp'
 */
export function extractProgramSection(
  bytes: Uint8Array,
  file: string,
  section?: string,
): { name: string; code: Uint8Array } {
  const malformed = (reason: string) => new RunError(CLI_ELF_MALFORMED, { file, reason });
  const unsupported = (reason: string) => new RunError(CLI_ELF_UNSUPPORTED, { file, reason });
  if (!isElf(bytes)) throw malformed('no ELF magic number');
  if (bytes.length < 64) throw malformed(`${bytes.length} bytes is shorter than an ELF header`);
  if (bytes[4] !== 2) throw unsupported('not a 64-bit object (EI_CLASS)');
  if (bytes[5] !== 1) throw unsupported('not little-endian (EI_DATA)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const machine = view.getUint16(18, true);
  if (machine !== EM_BPF) throw unsupported(`machine ${machine} is not eBPF (${EM_BPF})`);

  const shoff = view.getBigUint64(0x28, true);
  const shentsize = view.getUint16(0x3a, true);
  const shnum = view.getUint16(0x3c, true);
  const shstrndx = view.getUint16(0x3e, true);
  if (shnum === 0) throw malformed('no section headers');
  if (shentsize !== SECTION_HEADER_SIZE) throw malformed(`section header size ${shentsize}`);
  if (shoff + BigInt(shnum * SECTION_HEADER_SIZE) > BigInt(bytes.length)) {
    throw malformed('section headers lie beyond the end of the file');
  }
  if (shstrndx >= shnum) throw malformed(`section name table index ${shstrndx} out of range`);

  const raw = Array.from({ length: shnum }, (_, index) => {
    const at = Number(shoff) + index * SECTION_HEADER_SIZE;
    const offset = view.getBigUint64(at + 24, true);
    const size = view.getBigUint64(at + 32, true);
    const type = view.getUint32(at + 4, true);
    // SHT_NOBITS (8) occupies no file bytes; everything else must lie inside the file.
    if (type !== 8 && type !== 0 && offset + size > BigInt(bytes.length)) {
      throw malformed(`section ${index} lies beyond the end of the file`);
    }
    return {
      index,
      nameOffset: view.getUint32(at, true),
      type,
      flags: view.getBigUint64(at + 8, true),
      offset: Number(offset),
      size: Number(size),
      info: view.getUint32(at + 44, true),
      entsize: Number(view.getBigUint64(at + 56, true)),
    };
  });
  const strtab = raw[shstrndx]!;
  const readName = (offset: number): string => {
    if (offset >= strtab.size || strtab.offset + offset >= bytes.length) {
      throw malformed(`section name offset ${offset} out of range`);
    }
    let end = strtab.offset + offset;
    const limit = Math.min(strtab.offset + strtab.size, bytes.length);
    while (end < limit && bytes[end] !== 0) end++;
    return new TextDecoder().decode(bytes.subarray(strtab.offset + offset, end));
  };
  const sections: SectionHeader[] = raw.map((s) => ({ ...s, name: readName(s.nameOffset) }));

  const programs = sections.filter(
    (s) => s.type === SHT_PROGBITS && (s.flags & BigInt(SHF_EXECINSTR)) !== 0n && s.size > 0,
  );
  const chosen = section === undefined ? programs : programs.filter((s) => s.name === section);
  if (chosen.length === 0) throw new RunError(CLI_ELF_NO_PROGRAM, { file, section });
  if (chosen.length > 1) {
    throw new RunError(CLI_ELF_SEVERAL_PROGRAMS, { file, sections: chosen.map((s) => s.name) });
  }
  const program = chosen[0]!;
  const relocations = sections
    .filter((s) => (s.type === SHT_REL || s.type === SHT_RELA) && s.info === program.index)
    .reduce((n, s) => n + (s.entsize > 0 ? Math.floor(s.size / s.entsize) : s.size > 0 ? 1 : 0), 0);
  if (relocations > 0) {
    throw new RunError(CLI_ELF_NEEDS_RELOCATION, { file, section: program.name, relocations });
  }
  return { name: program.name, code: bytes.slice(program.offset, program.offset + program.size) };
}
