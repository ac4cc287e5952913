/**
 * Global data as maps, the way libbpf loads it: every non-empty `.rodata*`, `.data*` and `.bss*`
 * section becomes an internal array map (key 4 bytes, value = the whole section, one entry)
 * appended to the object's maps, so that a global-data `lddw` is the kernel's "map value by
 * index" (src 6) of that map plus an offset (RFC 9669 §5.4), with no meaning of its own.
 */
import { MapFlag, MapType } from '@ebpf/maps';
import type { DataSection } from './data-section.js';
import { SectionName, SymbolBind, SymbolType } from './elf-constants.js';
import { type MapDefinition, mapTypeName } from './map-definition.js';
import { type ElfObject, findSection, symbolsIn } from './parse-elf.js';

/** The kernel's `BPF_OBJ_NAME_LEN`: map names hold at most 15 characters and a NUL. */
const OBJ_NAME_LEN = 16;
/** `STV_DEFAULT`: a symbol other objects (and a skeleton) can see. */
const VISIBILITY_DEFAULT = 0;

/**
 * The name libbpf gives the internal map of section `section` in an object named `objectName`
 * (the file name without `.o`): up to 8 characters of the object name, then the section name
 * (`xdp_prog.rodata`, `two_prog.bss`); sections with a second dot (`.rodata.str1.1`) keep their
 * own name. At most 15 characters; characters the kernel refuses in names become `_`.
 *
 * @example
 * internalMapName('calls-and-globals', '.rodata'); // 'calls_an.rodata'
 * internalMapName('', '.bss');                     // '.bss'
 */
export function internalMapName(objectName: string, section: string): string {
  const suffixLength = Math.min(Math.max(7, section.length), OBJ_NAME_LEN - 1);
  const prefixLength = section.indexOf('.', 1) >= 0 ? 0 : OBJ_NAME_LEN - suffixLength - 1;
  const name = objectName.slice(0, prefixLength) + section.slice(0, suffixLength);
  return name.replace(/[^A-Za-z0-9_.]/g, '_');
}

/**
 * Whether libbpf would make the section's map `BPF_F_MMAPABLE`: when the object has BTF and a
 * variable of the section is global and not hidden (one a skeleton exposes).
 */
function isMmapable(elf: ElfObject, data: DataSection): boolean {
  if (!findSection(elf, SectionName.BTF)) return false;
  const section = elf.sections[data.sectionIndex];
  return symbolsIn(elf, section).some(
    (s) =>
      s.type === SymbolType.OBJECT &&
      (s.bind === SymbolBind.GLOBAL || s.bind === SymbolBind.WEAK) &&
      s.visibility === VISIBILITY_DEFAULT,
  );
}

/**
 * The internal maps of an object's data sections, in section order, for those with a
 * `mapIndex` (the non-empty ones; libbpf skips empty sections). Each is an array map: key 4
 * bytes, value = the section's size, one entry, `initialValue` = the section's bytes (none for
 * `.bss*`, which starts zeroed), flags `BPF_F_RDONLY_PROG` for `.rodata*` (programs cannot write
 * it; the host can, to set `const volatile` knobs) and `BPF_F_MMAPABLE` as libbpf sets it.
 *
 * @example
 * const [rodata] = internalMapsOf(elf, collectDataSections(elf, DEFAULT_MAX_BSS_SIZE, 1), 'prog');
 * rodata; // { index: 1, name: 'prog.rodata', type: 2, keySize: 4, valueSize: 4, maxEntries: 1, flags: 0x480, internal: true, ... }
 */
export function internalMapsOf(
  elf: ElfObject,
  data: readonly DataSection[],
  objectName: string,
): MapDefinition[] {
  const out: MapDefinition[] = [];
  for (const section of data) {
    if (section.mapIndex === undefined) continue;
    const flags =
      (section.kind === 'rodata' ? MapFlag.RDONLY_PROG : 0) |
      (isMmapable(elf, section) ? MapFlag.MMAPABLE : 0);
    out.push({
      index: section.mapIndex,
      name: internalMapName(objectName, section.name),
      type: MapType.ARRAY,
      typeName: mapTypeName(MapType.ARRAY),
      keySize: 4,
      valueSize: section.size,
      maxEntries: 1,
      flags,
      source: 'internal',
      section: section.name,
      offset: 0,
      internal: true,
      dataIndex: section.index,
      ...(section.kind === 'bss' ? {} : { initialValue: section.bytes }),
    });
  }
  return out;
}
