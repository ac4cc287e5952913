/**
 * A tiny ELF64 writer for tests: builds eBPF relocatable objects from a list of sections,
 * symbols and relocations, so that tests can make exactly the (valid or broken) file they need
 * without clang. Layout: header, section contents in order, then the symbol, string, relocation
 * and section-name tables, then the section headers.
 */

export interface SectionSpec {
  readonly name: string;
  /** sh_type; default PROGBITS (1). */
  readonly type?: number;
  /** sh_flags; default ALLOC|EXECINSTR (6) for PROGBITS. */
  readonly flags?: number;
  readonly data?: Uint8Array;
  /** Size of a NOBITS section. */
  readonly size?: number;
  readonly entsize?: number;
}

export interface SymbolSpec {
  readonly name: string;
  /** Section name, or a raw st_shndx number (0 undefined, 0xfff1 absolute). */
  readonly section?: string | number;
  readonly value?: number;
  readonly size?: number;
  /** STT_*; default FUNC (2). */
  readonly type?: number;
  /** STB_*; default GLOBAL (1). */
  readonly bind?: number;
}

export interface RelocationSpec {
  readonly offset: number;
  readonly type: number;
  /** Symbol name (looked up among `symbols`) or a raw symbol index. */
  readonly symbol: string | number;
}

export interface ElfSpec {
  readonly sections: readonly SectionSpec[];
  readonly symbols?: readonly SymbolSpec[];
  /** Relocations by the name of the section they apply to; each group becomes `.rel<name>`. */
  readonly relocations?: Readonly<Record<string, readonly RelocationSpec[]>>;
  /** ELF header overrides: e_machine (default 247), e_type (default 1). */
  readonly machine?: number;
  readonly type?: number;
}

/** Where things ended up in a built file, for tests that corrupt it afterwards. */
export interface BuiltElf {
  readonly bytes: Uint8Array;
  readonly sectionHeaderOffset: number;
  /** Section indices by name. */
  readonly index: ReadonlyMap<string, number>;
  /** File offsets of section contents by name. */
  readonly offset: ReadonlyMap<string, number>;
}

class StringTable {
  private readonly parts: number[] = [0];
  private readonly seen = new Map<string, number>();
  add(s: string): number {
    if (s === '') return 0;
    const known = this.seen.get(s);
    if (known !== undefined) return known;
    const at = this.parts.length;
    for (const b of new TextEncoder().encode(s)) this.parts.push(b);
    this.parts.push(0);
    this.seen.set(s, at);
    return at;
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

interface Final {
  name: string;
  type: number;
  flags: number;
  data: Uint8Array;
  size: number;
  link: number;
  info: number;
  entsize: number;
  align: number;
}

/** Builds the file. */
export function buildElf(spec: ElfSpec): BuiltElf {
  const finals: Final[] = [
    {
      name: '',
      type: 0,
      flags: 0,
      data: new Uint8Array(0),
      size: 0,
      link: 0,
      info: 0,
      entsize: 0,
      align: 0,
    },
  ];
  for (const s of spec.sections) {
    const type = s.type ?? 1;
    const data = s.data ?? new Uint8Array(0);
    finals.push({
      name: s.name,
      type,
      flags: s.flags ?? (type === 1 ? 6 : 0),
      data: type === 8 ? new Uint8Array(0) : data,
      size: type === 8 ? (s.size ?? 0) : data.length,
      link: 0,
      info: 0,
      entsize: s.entsize ?? 0,
      align: 8,
    });
  }
  const indexOf = (name: string) => {
    const i = finals.findIndex((f, k) => k > 0 && f.name === name);
    if (i < 0) throw new Error(`no section ${name}`);
    return i;
  };
  const symbols = spec.symbols ?? [];
  const hasSymbols = symbols.length > 0 || spec.relocations !== undefined;
  const strtab = new StringTable();
  const symtabIndex = hasSymbols ? finals.length : -1;
  if (hasSymbols) {
    const sym = new Uint8Array((symbols.length + 1) * 24);
    const view = new DataView(sym.buffer);
    symbols.forEach((s, i) => {
      const at = (i + 1) * 24;
      view.setUint32(at, strtab.add(s.name), true);
      view.setUint8(at + 4, ((s.bind ?? 1) << 4) | (s.type ?? 2));
      const shndx =
        s.section === undefined
          ? 0
          : typeof s.section === 'number'
            ? s.section
            : indexOf(s.section);
      view.setUint16(at + 6, shndx, true);
      view.setBigUint64(at + 8, BigInt(s.value ?? 0), true);
      view.setBigUint64(at + 16, BigInt(s.size ?? 0), true);
    });
    finals.push({
      name: '.symtab',
      type: 2,
      flags: 0,
      data: sym,
      size: sym.length,
      link: symtabIndex + 1,
      info: 1,
      entsize: 24,
      align: 8,
    });
    finals.push({
      name: '.strtab',
      type: 3,
      flags: 0,
      data: new Uint8Array(0),
      size: 0,
      link: 0,
      info: 0,
      entsize: 0,
      align: 1,
    });
  }
  for (const [target, entries] of Object.entries(spec.relocations ?? {})) {
    const rel = new Uint8Array(entries.length * 16);
    const view = new DataView(rel.buffer);
    entries.forEach((r, i) => {
      const symbol =
        typeof r.symbol === 'number' ? r.symbol : symbols.findIndex((s) => s.name === r.symbol) + 1;
      if (symbol === 0) throw new Error(`no symbol ${String(r.symbol)}`);
      view.setBigUint64(i * 16, BigInt(r.offset), true);
      view.setUint32(i * 16 + 8, r.type, true);
      view.setUint32(i * 16 + 12, symbol, true);
    });
    finals.push({
      name: `.rel${target}`,
      type: 9,
      flags: 0x40,
      data: rel,
      size: rel.length,
      link: symtabIndex,
      info: indexOf(target),
      entsize: 16,
      align: 8,
    });
  }
  const shstrtab = new StringTable();
  finals.push({
    name: '.shstrtab',
    type: 3,
    flags: 0,
    data: new Uint8Array(0),
    size: 0,
    link: 0,
    info: 0,
    entsize: 0,
    align: 1,
  });
  for (const f of finals) shstrtab.add(f.name);
  if (hasSymbols) {
    const s = finals[symtabIndex + 1];
    s.data = strtab.bytes();
    s.size = s.data.length;
  }
  const last = finals[finals.length - 1];
  last.data = shstrtab.bytes();
  last.size = last.data.length;

  const offsets: number[] = [];
  let at = 64;
  for (const f of finals) {
    at = Math.ceil(at / 8) * 8;
    offsets.push(at);
    at += f.data.length;
  }
  const shoff = Math.ceil(at / 8) * 8;
  const bytes = new Uint8Array(shoff + finals.length * 64);
  const view = new DataView(bytes.buffer);
  bytes.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]);
  view.setUint16(16, spec.type ?? 1, true);
  view.setUint16(18, spec.machine ?? 247, true);
  view.setUint32(20, 1, true);
  view.setBigUint64(40, BigInt(shoff), true);
  view.setUint16(52, 64, true);
  view.setUint16(58, 64, true);
  view.setUint16(60, finals.length, true);
  view.setUint16(62, finals.length - 1, true);
  const index = new Map<string, number>();
  const offset = new Map<string, number>();
  finals.forEach((f, i) => {
    bytes.set(f.data, offsets[i]);
    const h = shoff + i * 64;
    view.setUint32(h, shstrtab.add(f.name), true);
    view.setUint32(h + 4, f.type, true);
    view.setBigUint64(h + 8, BigInt(f.flags), true);
    view.setBigUint64(h + 24, BigInt(i === 0 ? 0 : offsets[i]), true);
    view.setBigUint64(h + 32, BigInt(f.size), true);
    view.setUint32(h + 40, f.link, true);
    view.setUint32(h + 44, f.info, true);
    view.setBigUint64(h + 48, BigInt(f.align), true);
    view.setBigUint64(h + 56, BigInt(f.entsize), true);
    if (i > 0 && !index.has(f.name)) index.set(f.name, i);
    if (i > 0 && !offset.has(f.name)) offset.set(f.name, offsets[i]);
  });
  return { bytes, sectionHeaderOffset: shoff, index, offset };
}

/** Instruction slots to bytes: `[opcode, regs, off, imm]` each. */
export function slots(
  ...insns: readonly (readonly [number, number, number, number])[]
): Uint8Array {
  const out = new Uint8Array(insns.length * 8);
  const view = new DataView(out.buffer);
  insns.forEach(([opcode, regs, off, imm], i) => {
    view.setUint8(i * 8, opcode);
    view.setUint8(i * 8 + 1, regs);
    view.setInt16(i * 8 + 2, off, true);
    view.setInt32(i * 8 + 4, imm, true);
  });
  return out;
}
