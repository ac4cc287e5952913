/**
 * The loader's front door: an ELF object in, its programs (linked), maps, global data and
 * license out. A pure function of the bytes; it creates no maps and runs nothing.
 */

import { collectDataSections, type DataSection, DEFAULT_MAX_BSS_SIZE } from './data-section.js';
import { decodeUtf8, MAX_NAME_LENGTH } from './decode-name.js';
import { SectionName, SectionType } from './elf-constants.js';
import { ELF_PROGRAM_NOT_FOUND, ElfError } from './elf-errors.js';
import { internalMapsOf } from './internal-maps.js';
import {
  type CodeFunction,
  indexCode,
  type LinkedFunction,
  linkProgram,
  type ProgramRelocation,
} from './link-program.js';
import type { MapDefinition } from './map-definition.js';
import { type Btf, parseBtf } from './parse-btf.js';
import { type ElfObject, findSection, parseElf } from './parse-elf.js';
import { programTypeOf } from './program-type.js';
import { readBtfMaps, readLegacyMaps } from './read-maps.js';

/** One program of an object, linked into a single bytecode image. */
export interface BpfProgram {
  /** The function's symbol name (or, for a section without function symbols, the section name). */
  readonly name: string;
  /** The section it came from: `xdp`, `kprobe/do_sys_open`, ... */
  readonly section: string;
  /** The program type the section name implies (`'xdp'`, `'sched_cls'`, `'unknown'`, ...). */
  readonly type: string;
  /** What the section name says to attach to (`'do_sys_open'` for `kprobe/do_sys_open`). */
  readonly attachTo?: string;
  /** Byte offset of the program in its section. */
  readonly sectionOffset: number;
  /** The linked bytecode: the program, then the subprograms it reaches, references patched. */
  readonly bytes: Uint8Array;
  /** Every reference the linker resolved, with instruction indices in `bytes`. */
  readonly relocations: readonly ProgramRelocation[];
  /** Where each function landed in `bytes`; the program itself is first, at 0. */
  readonly functions: readonly LinkedFunction[];
}

/** Everything a BPF object declares. */
export interface BpfObject {
  /** The parsed ELF file, for tools that want more than the loader reads. */
  readonly elf: ElfObject;
  /** Programs in file order (by section, then by offset). */
  readonly programs: readonly BpfProgram[];
  /**
   * Maps, BTF-defined and legacy, in file order, then one internal map per non-empty global-data
   * section (`internal: true`); a linked map or data `lddw` carries the index.
   */
  readonly maps: readonly MapDefinition[];
  /** Global-data sections in file order, each with the index of its internal map. */
  readonly data: readonly DataSection[];
  /** The `license` section's text, or `undefined` when there is none. */
  readonly license: string | undefined;
  /** The `version` section's value (old kprobe programs), or `undefined`. */
  readonly kernelVersion: number | undefined;
  /** The parsed `.BTF` section, when the object has BTF-defined maps. */
  readonly btf: Btf | undefined;
}

/** Options of {@link loadBpfObject}. */
export interface LoadOptions {
  /**
   * The object's name, as libbpf takes it from the file name without `.o`: the prefix of the
   * internal maps' names (`xdp_prog.rodata`). Default `''`: internal maps are named after their
   * sections (`.rodata`).
   */
  readonly name?: string;
  /** Most bytes of zero-filled data sections (`.bss*`) to allocate in all (default 16 MiB). */
  readonly maxBssSize?: number;
  /**
   * Most instruction slots all linked programs may take together (default
   * {@link DEFAULT_MAX_LINKED_SLOTS}); each program gets its own copy of the subprograms it calls.
   */
  readonly maxLinkedSlots?: number;
}

/** Default cap on the slots of all linked programs of one object: 4 Mi slots, 32 MiB. */
export const DEFAULT_MAX_LINKED_SLOTS = 4 * 1024 * 1024;

function readLicense(elf: ElfObject): string | undefined {
  const section = findSection(elf, SectionName.LICENSE);
  if (!section || section.type === SectionType.NOBITS) return undefined;
  // The text up to the first NUL (or the section's end, when a hand-made file has none).
  const nul = section.data.indexOf(0);
  const text = nul >= 0 ? section.data.subarray(0, nul) : section.data;
  return decodeUtf8(text.subarray(0, MAX_NAME_LENGTH));
}

function readKernelVersion(elf: ElfObject): number | undefined {
  const section = findSection(elf, SectionName.VERSION);
  if (!section || section.data.length < 4) return undefined;
  const d = section.data;
  return (d[0] | (d[1] << 8) | (d[2] << 16) | (d[3] << 24)) >>> 0;
}

/**
 * Loads a BPF object as `clang -O2 -target bpf -c` writes it: parses the ELF file, reads the
 * map declarations (`.maps` through BTF, legacy `maps`), the global-data sections (each also an
 * internal map, as libbpf makes them) and the license, and links every program (each global function of a code section other than `.text`)
 * with the `.text` subprograms it calls. See `link-program.ts` for what the linked bytes mean.
 *
 * @throws ElfError (codes 8001-8017) for anything broken, hostile or unsupported.
 * @example
 * const obj = loadBpfObject(bytes);
 * const prog = obj.programs.find((p) => p.name === 'xdp_firewall')!;
 * decode(prog.bytes); // lddw of `blocked_ports` now has src 5, imm 0 (obj.maps[0])
 * loadBpfObject(bytes, { name: 'xdp_prog' }).maps.at(-1)?.name; // 'xdp_prog.rodata', if it has one
 */
export function loadBpfObject(bytes: Uint8Array, options: LoadOptions = {}): BpfObject {
  const elf = parseElf(bytes);
  const mapSections = elf.sections.filter(
    (s) => s.index !== 0 && (s.name === SectionName.MAPS_BTF || s.name === SectionName.MAPS_LEGACY),
  );
  const btfSection = findSection(elf, SectionName.BTF);
  const needsBtf = mapSections.some((s) => s.name === SectionName.MAPS_BTF);
  const btf = needsBtf && btfSection ? parseBtf(btfSection) : undefined;
  const maps: MapDefinition[] = [];
  // Maps by where their variable is, `sectionIndex:offset`, as relocations name them.
  const mapsByPlace = new Map<string, MapDefinition>();
  for (const section of mapSections) {
    const found =
      section.name === SectionName.MAPS_BTF
        ? readBtfMaps(elf, section, btf, maps.length)
        : readLegacyMaps(elf, section, maps.length);
    for (const m of found) {
      mapsByPlace.set(`${section.index}:${m.offset}`, m);
      maps.push(m); // one by one: a hostile file can declare more maps than a call takes arguments
    }
  }
  const data = collectDataSections(elf, options.maxBssSize ?? DEFAULT_MAX_BSS_SIZE, maps.length);
  for (const m of internalMapsOf(elf, data, typeof options.name === 'string' ? options.name : ''))
    maps.push(m);

  const code = indexCode(elf);
  const targets = {
    maps: mapsByPlace,
    data: new Map(data.map((d) => [d.sectionIndex, d])),
  };
  const entries: CodeFunction[] = [];
  for (const section of code.sections) {
    if (section.name === SectionName.TEXT) continue; // .text holds subprograms only
    for (const f of code.functions.get(section.index)!) if (f.global) entries.push(f);
  }
  let budget = options.maxLinkedSlots ?? DEFAULT_MAX_LINKED_SLOTS;
  const programs = entries.map((entry): BpfProgram => {
    const linked = linkProgram(entry, code, targets, budget);
    budget -= linked.bytes.length / 8;
    const { type, attachTo } = programTypeOf(entry.section.name);
    return {
      name: entry.name,
      section: entry.section.name,
      type,
      ...(attachTo === undefined ? {} : { attachTo }),
      sectionOffset: entry.start * 8,
      ...linked,
    };
  });
  return {
    elf,
    programs,
    maps,
    data,
    license: readLicense(elf),
    kernelVersion: readKernelVersion(elf),
    btf,
  };
}

/**
 * The program named `name` (its function symbol), or else the only program in the section
 * named `name`: what a `--program NAME` option selects.
 *
 * @throws ElfError ELF_PROGRAM_NOT_FOUND when neither matches (or a section holds several).
 * @example
 * findProgram(loadBpfObject(bytes), 'xdp_second').bytes;
 */
export function findProgram(object: BpfObject, name: string): BpfProgram {
  const byName = object.programs.find((p) => p.name === name);
  if (byName) return byName;
  const inSection = object.programs.filter((p) => p.section === name);
  if (inSection.length === 1) return inSection[0];
  throw new ElfError(ELF_PROGRAM_NOT_FOUND, {
    name,
    available: object.programs.map((p) => p.name),
  });
}
