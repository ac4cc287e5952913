/**
 * Linking one program, the way libbpf does: the program's own instructions first, then every
 * function it reaches through BPF-to-BPF calls or function references (transitively, each once),
 * appended in the order they are first reached. Call and function-reference offsets are patched
 * to the appended positions; `lddw`s that name maps and global data are rewritten to refer to
 * them by index.
 *
 * The contract with the VM (what a linked program's bytes mean):
 *
 * | instruction | after linking |
 * |---|---|
 * | `lddw` of a map | src = 5 (`lddw_map_idx`), imm = index in `BpfObject.maps`, second imm = 0 |
 * | `lddw` of global data | src = 6 (`lddw_map_value_idx`), imm = index in `BpfObject.maps` of the section's internal map, second imm = offset in it |
 * | `lddw` of a function (callback) | src = 4 (`lddw_code_addr`), imm = target - (this insn + 1) |
 * | `call` of a BPF function | src = 1 (`call_local`), imm = target - (this insn + 1) |
 * | reference to an undefined (extern) symbol | left as compiled, reported as an `extern` relocation |
 *
 * Every rewrite is also listed in `BpfProgram.relocations`, with instruction indices in the
 * linked image, for tools that would rather resolve references themselves.
 */
import { CallSrc, INSN_SIZE, Lddw, MAX_PROGRAM_INSNS, rowByName } from '@ebpf/isa';
import type { DataSection } from './data-section.js';
import {
  BpfReloc,
  SectionFlag,
  SectionName,
  SectionType,
  SpecialSection,
  SymbolBind,
  SymbolType,
} from './elf-constants.js';
import {
  ELF_BAD_CALL,
  ELF_BAD_CODE,
  ELF_BAD_RELOCATION,
  ELF_BAD_SYMBOL,
  ELF_PROGRAM_TOO_LARGE,
  ElfError,
} from './elf-errors.js';
import type { MapDefinition } from './map-definition.js';
import { type ElfObject, type ElfRelocation, type ElfSection, symbolsIn } from './parse-elf.js';

/** One reference the linker resolved (or, for externs, found and left alone). */
export type ProgramRelocation =
  | {
      readonly kind: 'map';
      /** Instruction index (slot) in the linked image. */
      readonly insn: number;
      readonly symbol: string;
      readonly mapIndex: number;
    }
  | {
      readonly kind: 'data';
      readonly insn: number;
      readonly symbol: string;
      /** The section's index in `BpfObject.data`. */
      readonly dataIndex: number;
      /** Its internal map's index in `BpfObject.maps`: the `lddw`'s imm. */
      readonly mapIndex: number;
      /** Byte offset inside the data section. */
      readonly offset: number;
    }
  | {
      readonly kind: 'call' | 'function';
      readonly insn: number;
      /** The called (or referenced) function. */
      readonly function: string;
      /** Instruction index of the target in the linked image. */
      readonly target: number;
    }
  | {
      readonly kind: 'extern';
      readonly insn: number;
      readonly symbol: string;
      readonly instruction: 'lddw' | 'call';
    };

/** Where a function landed in a linked image. */
export interface LinkedFunction {
  readonly name: string;
  readonly section: string;
  /** First instruction slot in the linked image. */
  readonly start: number;
  /** Length in slots. */
  readonly length: number;
  /** Byte offset of the function in its section. */
  readonly sectionOffset: number;
}

/** A function in a code section: a symbol's range in slots. */
export interface CodeFunction {
  readonly name: string;
  readonly section: ElfSection;
  /** First slot in the section. */
  readonly start: number;
  /** Slot after the last. */
  readonly end: number;
  /** Global (or weak) functions of program sections are programs; the rest are subprograms. */
  readonly global: boolean;
}

/** The code of an object, indexed for linking. */
export interface CodeIndex {
  /** Code sections (`SHF_EXECINSTR`) in file order. */
  readonly sections: readonly ElfSection[];
  /** Functions of each code section, by section index, sorted by start. */
  readonly functions: ReadonlyMap<number, readonly CodeFunction[]>;
  /** Relocations of each code section, by section index, then by byte offset. */
  readonly relocations: ReadonlyMap<number, ReadonlyMap<number, ElfRelocation>>;
  /** The relocation section each relocation came from (for messages). */
  readonly relocationSections: ReadonlyMap<ElfRelocation, ElfSection>;
}

/** What the linker needs besides the code: where maps and data sections are. */
export interface LinkTargets {
  /** Maps by `sectionIndex:offset` of their variable. */
  readonly maps: ReadonlyMap<string, MapDefinition>;
  /** Data sections by ELF section index. */
  readonly data: ReadonlyMap<number, DataSection>;
}

/** The result of linking one program. */
export interface LinkedProgram {
  readonly bytes: Uint8Array;
  readonly relocations: readonly ProgramRelocation[];
  readonly functions: readonly LinkedFunction[];
}

const LDDW_OPCODE = rowByName('lddw').opcode;
const CALL_OPCODE = rowByName('call').opcode;

/** Whether `section` holds code. */
export function isCodeSection(section: ElfSection): boolean {
  return (
    section.index !== 0 &&
    section.type === SectionType.PROGBITS &&
    (section.flags & SectionFlag.EXECINSTR) !== 0
  );
}

function functionsOf(elf: ElfObject, section: ElfSection): CodeFunction[] {
  const slots = section.size / INSN_SIZE;
  const symbols = symbolsIn(elf, section)
    .filter((s) => s.type === SymbolType.FUNC)
    .sort((a, b) => a.value - b.value || b.size - a.size);
  if (symbols.length === 0) {
    // Hand-written or stripped code: the whole section is one function named after it.
    return slots === 0 ? [] : [{ name: section.name, section, start: 0, end: slots, global: true }];
  }
  const out: CodeFunction[] = [];
  for (let i = 0; i < symbols.length; i++) {
    const s = symbols[i];
    const bad = (reason: string) =>
      new ElfError(ELF_BAD_SYMBOL, {
        section: section.name,
        sectionIndex: section.index,
        offset: s.value,
        symbol: s.index,
        reason: `function '${s.name}' ${reason}`,
      });
    if (s.value % INSN_SIZE !== 0 || s.size % INSN_SIZE !== 0) {
      throw bad(`at ${s.value} (${s.size} bytes) is not aligned to whole instructions`);
    }
    if (s.value > section.size || s.size > section.size - s.value) {
      throw bad(`(${s.value}+${s.size}) lies outside the section (${section.size} bytes)`);
    }
    const previous = out[out.length - 1];
    const start = s.value / INSN_SIZE;
    if (previous && previous.start === start) continue; // an alias of the previous function
    if (previous && start < previous.end) {
      throw bad(`overlaps function '${previous.name}'`);
    }
    const nextStart = i + 1 < symbols.length ? symbols[i + 1].value / INSN_SIZE : slots;
    const end =
      s.size > 0 ? start + s.size / INSN_SIZE : Math.max(start, Math.min(nextStart, slots));
    out.push({
      name: s.name,
      section,
      start,
      end,
      global: s.bind === SymbolBind.GLOBAL || s.bind === SymbolBind.WEAK,
    });
  }
  return out;
}

/**
 * Indexes the code sections of an object: their functions and relocations.
 *
 * @throws ElfError ELF_BAD_CODE for code sections that are not whole instructions,
 * ELF_BAD_SYMBOL for misplaced functions, ELF_BAD_RELOCATION for misaligned or duplicate ones.
 */
export function indexCode(elf: ElfObject): CodeIndex {
  const sections = elf.sections.filter(isCodeSection);
  const functions = new Map<number, CodeFunction[]>();
  for (const section of sections) {
    if (section.size % INSN_SIZE !== 0) {
      throw new ElfError(ELF_BAD_CODE, {
        section: section.name,
        sectionIndex: section.index,
        reason: `size ${section.size} is not a whole number of ${INSN_SIZE}-byte instructions`,
      });
    }
    functions.set(section.index, functionsOf(elf, section));
  }
  const relocations = new Map<number, Map<number, ElfRelocation>>();
  const relocationSections = new Map<ElfRelocation, ElfSection>();
  for (const { section, target, relocations: entries } of elf.relocationSections) {
    if (!functions.has(target.index)) continue;
    let byOffset = relocations.get(target.index);
    if (!byOffset) {
      byOffset = new Map();
      relocations.set(target.index, byOffset);
    }
    for (const r of entries) {
      const bad = (reason: string) =>
        new ElfError(ELF_BAD_RELOCATION, {
          section: section.name,
          sectionIndex: section.index,
          offset: r.index * section.entrySize,
          entry: r.index,
          type: r.type,
          reason: `at '${target.name}'+0x${r.offset.toString(16)}: ${reason}`,
        });
      if (r.offset % INSN_SIZE !== 0) throw bad('relocated offset is not at an instruction');
      if (byOffset.has(r.offset)) throw bad('a second relocation for the same instruction');
      byOffset.set(r.offset, r);
      relocationSections.set(r, section);
    }
  }
  return { sections, functions, relocations, relocationSections };
}

/** The function among `functions` (sorted, disjoint) that contains slot `slot`. */
function functionAt(functions: readonly CodeFunction[], slot: number): CodeFunction | undefined {
  let lo = 0;
  let hi = functions.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const f = functions[mid];
    if (slot < f.start) hi = mid - 1;
    else if (slot >= f.end) lo = mid + 1;
    else return f;
  }
  return undefined;
}

interface Patch {
  readonly slot: number;
  readonly src: number;
  readonly imm: number;
  /** The second slot's imm, for `lddw`. */
  readonly imm2?: number;
}

/**
 * Links the program that starts with function `entry`: its bytes with every reached function
 * appended and every reference patched (see the module comment for the contract).
 *
 * `budget` caps the image's length in slots (the object's remaining allowance); the image is
 * never longer than `MAX_PROGRAM_INSNS` either. Every program gets its own copy of the
 * subprograms it calls, so without a cap a hostile object could make the output quadratic in
 * its size.
 *
 * @throws ElfError ELF_BAD_RELOCATION for relocations that do not fit their instruction or name
 * nothing loadable, ELF_BAD_CALL for calls that land outside every function,
 * ELF_PROGRAM_TOO_LARGE past either limit.
 */
export function linkProgram(
  entry: CodeFunction,
  code: CodeIndex,
  targets: LinkTargets,
  budget = MAX_PROGRAM_INSNS,
): LinkedProgram {
  const max = Math.min(budget, MAX_PROGRAM_INSNS);
  const placed = new Map<CodeFunction, number>();
  const order: CodeFunction[] = [];
  let length = 0;
  const place = (f: CodeFunction): number => {
    let at = placed.get(f);
    if (at === undefined) {
      at = length;
      placed.set(f, at);
      order.push(f);
      length += f.end - f.start;
      if (length > max) {
        throw new ElfError(ELF_PROGRAM_TOO_LARGE, {
          section: entry.section.name,
          sectionIndex: entry.section.index,
          offset: entry.start * INSN_SIZE,
          program: entry.name,
          slots: length,
          max,
          limit: max < MAX_PROGRAM_INSNS ? 'object' : 'program',
        });
      }
    }
    return at;
  };
  place(entry);

  const patches: Patch[] = [];
  const relocations: ProgramRelocation[] = [];

  for (let k = 0; k < order.length; k++) {
    const f = order[k];
    const section = f.section;
    const base = placed.get(f)!;
    const data = section.data;
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const sectionRelocations = code.relocations.get(section.index);

    // Resolves a code target (a slot of `targetSection`) to its slot in the image.
    const resolve = (
      targetSection: ElfSection,
      targetSlot: number,
      slot: number,
      at: number,
    ): { target: number; fn: CodeFunction } => {
      const fail = (reason: string) =>
        new ElfError(
          ELF_BAD_CALL,
          {
            section: section.name,
            sectionIndex: section.index,
            offset: at,
            program: entry.name,
            reason,
          },
          slot,
        );
      const functions = code.functions.get(targetSection.index);
      if (!functions) throw fail(`target section '${targetSection.name}' holds no code`);
      if (
        !Number.isInteger(targetSlot) ||
        targetSlot < 0 ||
        targetSlot * INSN_SIZE >= targetSection.size
      ) {
        throw fail(`target slot ${targetSlot} is outside '${targetSection.name}'`);
      }
      const fn = functionAt(functions, targetSlot);
      if (!fn) throw fail(`target slot ${targetSlot} of '${targetSection.name}' is in no function`);
      return { target: place(fn) + (targetSlot - fn.start), fn };
    };

    for (let i = f.start; i < f.end; ) {
      const at = i * INSN_SIZE;
      const slot = base + (i - f.start);
      const opcode = data[at];
      const src = data[at + 1] >> 4;
      const imm = view.getInt32(at + 4, true);
      const isLddw = opcode === LDDW_OPCODE;
      const isCall = opcode === CALL_OPCODE;
      const relocation = sectionRelocations?.get(at);
      if (relocation && relocation.type !== BpfReloc.NONE) {
        const relocationSection = code.relocationSections.get(relocation)!;
        const bad = (reason: string) =>
          new ElfError(
            ELF_BAD_RELOCATION,
            {
              section: relocationSection.name,
              sectionIndex: relocationSection.index,
              offset: relocation.index * relocationSection.entrySize,
              entry: relocation.index,
              type: relocation.type,
              reason: `at '${section.name}'+0x${at.toString(16)} (symbol '${relocation.symbol.name}'): ${reason}`,
            },
            slot,
          );
        const symbol = relocation.symbol;
        const target = symbol.section;
        if (relocation.type === BpfReloc.R_BPF_64_64) {
          if (!isLddw) throw bad(`R_BPF_64_64 on opcode 0x${opcode.toString(16)}, not lddw`);
          if (i + 1 >= f.end) throw bad('lddw is cut off by the end of its function');
          const addend = (imm >>> 0) + relocation.addend;
          if (!target) {
            if (symbol.sectionIndex !== SpecialSection.UNDEF) {
              throw bad('symbol is absolute or common, not in a section');
            }
            relocations.push({
              kind: 'extern',
              insn: slot,
              symbol: symbol.name,
              instruction: 'lddw',
            });
          } else if (code.functions.has(target.index)) {
            const byte = symbol.value + addend;
            if (byte % INSN_SIZE !== 0)
              throw bad(`function address ${byte} is not at an instruction`);
            const { target: to, fn } = resolve(target, byte / INSN_SIZE, slot, at);
            patches.push({ slot, src: Lddw.CODE_ADDR, imm: to - (slot + 1), imm2: 0 });
            relocations.push({ kind: 'function', insn: slot, function: fn.name, target: to });
          } else if (
            target.name === SectionName.MAPS_BTF ||
            target.name === SectionName.MAPS_LEGACY
          ) {
            const offset = symbol.value + addend;
            const map = targets.maps.get(`${target.index}:${offset}`);
            if (!map) throw bad(`no map at offset ${offset} of '${target.name}'`);
            patches.push({ slot, src: Lddw.MAP_IDX, imm: map.index, imm2: 0 });
            relocations.push({ kind: 'map', insn: slot, symbol: symbol.name, mapIndex: map.index });
          } else if (targets.data.has(target.index)) {
            const section = targets.data.get(target.index)!;
            const offset = symbol.value + addend;
            if (offset > section.size) {
              throw bad(`offset ${offset} is outside '${section.name}' (${section.size} bytes)`);
            }
            if (section.mapIndex === undefined) {
              throw bad(`'${section.name}' is empty: no map holds it`);
            }
            const mapIndex = section.mapIndex;
            patches.push({ slot, src: Lddw.MAP_VALUE_IDX, imm: mapIndex, imm2: offset });
            relocations.push({
              kind: 'data',
              insn: slot,
              symbol: symbol.name,
              dataIndex: section.index,
              mapIndex,
              offset,
            });
          } else {
            throw bad(`section '${target.name}' holds no code, map or global data`);
          }
        } else if (relocation.type === BpfReloc.R_BPF_64_32) {
          if (!isCall) throw bad(`R_BPF_64_32 on opcode 0x${opcode.toString(16)}, not call`);
          if (!target) {
            if (symbol.sectionIndex !== SpecialSection.UNDEF) {
              throw bad('symbol is absolute or common, not in a section');
            }
            relocations.push({
              kind: 'extern',
              insn: slot,
              symbol: symbol.name,
              instruction: 'call',
            });
          } else {
            const byte = symbol.value + relocation.addend;
            if (byte % INSN_SIZE !== 0) throw bad(`call target ${byte} is not at an instruction`);
            const { target: to, fn } = resolve(target, byte / INSN_SIZE + imm + 1, slot, at);
            patches.push({ slot, src: CallSrc.LOCAL, imm: to - (slot + 1) });
            relocations.push({ kind: 'call', insn: slot, function: fn.name, target: to });
          }
        } else {
          throw bad('a data relocation type in a code section');
        }
      } else if (isCall && src === CallSrc.LOCAL) {
        // A call inside one section needs no relocation: imm is already relative.
        const { target: to, fn } = resolve(section, i + imm + 1, slot, at);
        patches.push({ slot, src: CallSrc.LOCAL, imm: to - (slot + 1) });
        relocations.push({ kind: 'call', insn: slot, function: fn.name, target: to });
      }
      if (isLddw && i + 1 < f.end && sectionRelocations?.has(at + INSN_SIZE)) {
        const second = sectionRelocations.get(at + INSN_SIZE)!;
        const relocationSection = code.relocationSections.get(second)!;
        throw new ElfError(
          ELF_BAD_RELOCATION,
          {
            section: relocationSection.name,
            sectionIndex: relocationSection.index,
            offset: second.index * relocationSection.entrySize,
            entry: second.index,
            type: second.type,
            reason: `relocates the second slot of the lddw at '${section.name}'+0x${at.toString(16)}`,
          },
          slot + 1,
        );
      }
      i += isLddw ? 2 : 1;
    }
  }

  const bytes = new Uint8Array(length * INSN_SIZE);
  for (const f of order) {
    bytes.set(
      f.section.data.subarray(f.start * INSN_SIZE, f.end * INSN_SIZE),
      placed.get(f)! * INSN_SIZE,
    );
  }
  const out = new DataView(bytes.buffer);
  for (const p of patches) {
    const at = p.slot * INSN_SIZE;
    bytes[at + 1] = (p.src << 4) | (bytes[at + 1] & 0x0f);
    out.setInt32(at + 4, p.imm, true);
    if (p.imm2 !== undefined) out.setInt32(at + INSN_SIZE + 4, p.imm2, true);
  }
  const functions = order.map((f) => ({
    name: f.name,
    section: f.section.name,
    start: placed.get(f)!,
    length: f.end - f.start,
    sectionOffset: f.start * INSN_SIZE,
  }));
  return { bytes, relocations, functions };
}
