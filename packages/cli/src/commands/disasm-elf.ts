/**
 * `ebpf disasm` of an ELF object: every program (section and function name), linked as
 * `@ebpf/elf` links it, with each reference the loader resolved shown on its instruction: the
 * ELF relocation that caused it (`R_BPF_64_64`, `R_BPF_64_32`) and what it names (a map, a
 * global variable in an internal map, a subprogram), plus helper calls by name and a
 * `<function>:` line where each linked function starts.
 */
import { type DisasmEntry, type DisasmOptions, disassembleInsns } from '@ebpf/disassembler';
import { type BpfObject, type BpfProgram, BpfReloc, type ProgramRelocation } from '@ebpf/elf';
import { KernelHelper } from '@ebpf/helpers';

const RELOC_NAMES = new Map<number, string>(
  Object.entries(BpfReloc).map(([name, value]) => [value as number, name]),
);

const HELPER_NAMES = new Map<number, string>(
  Object.entries(KernelHelper).map(([name, id]) => [id as number, `bpf_${name.toLowerCase()}`]),
);

/** The ELF relocation type at linked instruction `insn`, found back through the function map. */
function relocationTypeAt(
  object: BpfObject,
  program: BpfProgram,
  insn: number,
): string | undefined {
  const fn = program.functions.find((f) => insn >= f.start && insn < f.start + f.length);
  if (!fn) return undefined;
  const offset = fn.sectionOffset + (insn - fn.start) * 8;
  for (const rs of object.elf.relocationSections) {
    if (rs.target.name !== fn.section) continue;
    const found = rs.relocations.find((r) => r.offset === offset);
    if (found) return RELOC_NAMES.get(found.type) ?? `R_BPF_${found.type}`;
  }
  return undefined;
}

/** What a resolved reference names, in words. */
function describeRelocation(object: BpfObject, r: ProgramRelocation): string {
  switch (r.kind) {
    case 'map':
      return `map ${object.maps[r.mapIndex]?.name ?? `#${r.mapIndex}`}`;
    case 'data': {
      const section = object.data[r.dataIndex]?.name ?? `data #${r.dataIndex}`;
      const map = object.maps[r.mapIndex]?.name ?? `#${r.mapIndex}`;
      return `${r.symbol === section ? section : `${r.symbol} in ${section}`}+0x${r.offset.toString(16)} (map ${map})`;
    }
    case 'call':
      return `call ${r.function}`;
    case 'function':
      return `address of ${r.function}`;
    case 'extern':
      return `extern ${r.symbol} (unresolved)`;
  }
}

/** One instruction's annotations, by linked instruction index. */
function annotate(object: BpfObject, program: BpfProgram, entries: readonly DisasmEntry[]) {
  const notes = new Map<number, string>();
  for (const r of program.relocations) {
    const type = relocationTypeAt(object, program, r.insn);
    notes.set(r.insn, `${type === undefined ? '' : `${type} `}${describeRelocation(object, r)}`);
  }
  for (const e of entries) {
    if (notes.has(e.pc) || e.form !== 'call') continue;
    const name = HELPER_NAMES.get(e.imm);
    if (name !== undefined) notes.set(e.pc, `helper ${name}`);
  }
  return notes;
}

/** The text of one program: a header, `<function>:` lines, and annotated instructions. */
export function disassembleProgram(
  object: BpfObject,
  program: BpfProgram,
  options: DisasmOptions,
): string {
  const entries = disassembleInsns(program.bytes, options);
  const notes = annotate(object, program, entries);
  const starts = new Map(program.functions.map((f) => [f.start, f]));
  const width = Math.max(0, ...entries.map((e) => e.text.length));
  const pcWidth = String(Math.max(0, ...entries.map((e) => e.pc))).length;
  const lines = [
    `${program.section}/${program.name} (type ${program.type}, ${entries.reduce((n, e) => n + e.slots, 0)} slots):`,
  ];
  for (const e of entries) {
    const fn = starts.get(e.pc);
    if (fn) lines.push(`<${fn.name}>${fn.section === program.section ? '' : ` (${fn.section})`}:`);
    if (e.label !== undefined) lines.push(`${e.label}:`);
    const note = notes.get(e.pc);
    const text = note === undefined ? e.text : `${e.text.padEnd(width)}  ; ${note}`;
    lines.push(`  ${String(e.pc).padStart(pcWidth)}: ${text}`);
  }
  return lines.join('\n');
}

/** The maps of an object as one line each: name, type, sizes, internal sections marked. */
export function describeMaps(object: BpfObject): string[] {
  return object.maps.map(
    (m, i) =>
      `;   map ${i} ${m.name}: ${m.typeName}, key ${m.keySize} B, value ${m.valueSize} B, ${m.maxEntries} entries${m.internal ? ` (${m.section} data)` : ''}`,
  );
}

/**
 * The whole object: a header listing its maps, then every program (or only `programs`).
 *
 * @example
 * disassembleObject(loadBpfObject(bytes), 'fw.o', {}, object.programs);
 */
export function disassembleObject(
  object: BpfObject,
  file: string,
  options: DisasmOptions,
  programs: readonly BpfProgram[] = object.programs,
): string {
  const header = [
    `; ${file}: ${object.programs.length} program${object.programs.length === 1 ? '' : 's'}, ${object.maps.length} map${object.maps.length === 1 ? '' : 's'}${object.license === undefined ? '' : `, license ${object.license}`}`,
    ...describeMaps(object),
  ];
  return [header.join('\n'), ...programs.map((p) => disassembleProgram(object, p, options))].join(
    '\n\n',
  );
}
