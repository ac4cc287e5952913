/**
 * A minimal reader for the section table of a little-endian ELF64 object: enough to take the code
 * sections out of the objects clang-19 compiled for the goldens.
 */

export interface ElfSection {
  readonly name: string;
  readonly flags: bigint;
  readonly bytes: Uint8Array;
}

/** SHF_EXECINSTR: the section holds code. */
export const SHF_EXECINSTR = 0x4n;

/** The sections of an ELF64 little-endian object, by name. */
export function readElfSections(file: Uint8Array): Map<string, ElfSection> {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const magic = String.fromCharCode(...file.subarray(1, 4));
  if (file[0] !== 0x7f || magic !== 'ELF' || file[4] !== 2 || file[5] !== 1) {
    throw new Error('not a little-endian ELF64 object');
  }
  const shoff = Number(view.getBigUint64(0x28, true));
  const shentsize = view.getUint16(0x3a, true);
  const shnum = view.getUint16(0x3c, true);
  const shstrndx = view.getUint16(0x3e, true);
  const header = (i: number) => {
    const at = shoff + i * shentsize;
    return {
      name: view.getUint32(at, true),
      flags: view.getBigUint64(at + 8, true),
      offset: Number(view.getBigUint64(at + 24, true)),
      size: Number(view.getBigUint64(at + 32, true)),
    };
  };
  const strtab = header(shstrndx);
  const nameAt = (off: number) => {
    let end = strtab.offset + off;
    while (file[end] !== 0) end++;
    return new TextDecoder().decode(file.subarray(strtab.offset + off, end));
  };
  const out = new Map<string, ElfSection>();
  for (let i = 1; i < shnum; i++) {
    const h = header(i);
    const name = nameAt(h.name);
    out.set(name, { name, flags: h.flags, bytes: file.subarray(h.offset, h.offset + h.size) });
  }
  return out;
}
