/**
 * Map declarations, in the two forms BPF objects use:
 *
 * - **BTF-defined** (`.maps`): each map is a variable of an anonymous struct whose members encode
 *   the attributes in their types. `__uint(name, N)` is a pointer to an array of N ints, so N is
 *   the array's element count; `__type(name, T)` is a pointer to T, whose size the loader takes
 *   from BTF. The `.maps` DATASEC of `.BTF` lists the variables.
 * - **Legacy** (`maps`): each symbol is a `struct bpf_map_def { type, key_size, value_size,
 *   max_entries, map_flags }` of 4-byte fields, read straight from the section's bytes.
 */
import { SymbolType } from './elf-constants.js';
import { ELF_BAD_MAP, ElfError } from './elf-errors.js';
import { type MapDefinition, mapTypeName } from './map-definition.js';
import {
  type Btf,
  BtfKind,
  type BtfType,
  btfTypeById,
  btfTypeSize,
  skipBtfModifiers,
} from './parse-btf.js';
import { type ElfObject, type ElfSection, type ElfSymbol, symbolsIn } from './parse-elf.js';

/** Attributes written `__uint(name, value)`. */
const UINT_ATTRIBUTES = new Set([
  'type',
  'max_entries',
  'map_flags',
  'key_size',
  'value_size',
  'numa_node',
  'pinning',
  'map_extra',
]);

function mapError(section: ElfSection, map: string, reason: string, offset?: number) {
  return new ElfError(ELF_BAD_MAP, {
    section: section.name,
    sectionIndex: section.index,
    offset,
    map,
    reason,
  });
}

/** Named data symbols of `section`, sorted by offset. */
function variablesIn(elf: ElfObject, section: ElfSection): ElfSymbol[] {
  return symbolsIn(elf, section)
    .filter(
      (s) =>
        s.name !== '' &&
        s.type !== SymbolType.SECTION &&
        s.type !== SymbolType.FILE &&
        s.type !== SymbolType.FUNC,
    )
    .sort((a, b) => a.value - b.value);
}

/** What one BTF map struct says. */
interface MapStruct {
  readonly uints: Readonly<Record<string, number>>;
  readonly keyTypeId: number | undefined;
  readonly valueTypeId: number | undefined;
  readonly keySize: number;
  readonly valueSize: number;
  readonly extra: Readonly<Record<string, number>>;
}

/** Reads the attributes of a map struct (see the module comment for the encoding). */
function readMapStruct(btf: Btf, struct: BtfType, fail: (reason: string) => ElfError): MapStruct {
  const uints: Record<string, number> = {};
  let keyTypeId: number | undefined;
  let valueTypeId: number | undefined;
  for (const member of struct.members ?? []) {
    const field = btf.nameOf(member.nameOffset);
    const isUint = UINT_ATTRIBUTES.has(field);
    if (!isUint && field !== 'key' && field !== 'value') continue; // `values` (map-in-map) and unknown fields
    const pointer = skipBtfModifiers(btf, member.type);
    if (pointer.kind !== BtfKind.PTR) {
      throw fail(`attribute '${field}' is not a pointer (BTF type ${pointer.id})`);
    }
    if (isUint) {
      const array = skipBtfModifiers(btf, pointer.sizeOrType);
      if (array.kind !== BtfKind.ARRAY)
        throw fail(`attribute '${field}' does not point to an array`);
      uints[field] = array.array!.count;
    } else if (field === 'key') {
      keyTypeId = pointer.sizeOrType;
    } else {
      valueTypeId = pointer.sizeOrType;
    }
  }
  if (uints.type === undefined) throw fail("no map type: '__uint(type, ...)' is missing");
  const sizeOf = (which: 'key' | 'value', typeId: number | undefined): number => {
    const declared = uints[`${which}_size`];
    if (typeId === undefined) return declared ?? 0;
    const size = btfTypeSize(btf, typeId);
    if (declared !== undefined && declared !== size) {
      throw fail(`${which}_size ${declared} disagrees with the ${which} type's size ${size}`);
    }
    return size;
  };
  const extra: Record<string, number> = {};
  for (const field of ['numa_node', 'pinning', 'map_extra']) {
    if (uints[field] !== undefined) extra[field] = uints[field];
  }
  return {
    uints,
    keyTypeId,
    valueTypeId,
    keySize: sizeOf('key', keyTypeId),
    valueSize: sizeOf('value', valueTypeId),
    extra,
  };
}

/**
 * Reads the BTF-defined maps of the `.maps` section, numbering them from `firstIndex`.
 *
 * @throws ElfError ELF_BAD_MAP when there is no `.BTF`, no `.maps` DATASEC, or a map whose
 * attributes are malformed; ELF_BAD_BTF / ELF_BTF_TOO_DEEP for broken types.
 */
export function readBtfMaps(
  elf: ElfObject,
  section: ElfSection,
  btf: Btf | undefined,
  firstIndex: number,
): MapDefinition[] {
  const variables = variablesIn(elf, section);
  if (!btf) {
    if (variables.length === 0) return [];
    throw mapError(
      section,
      variables[0].name,
      'BTF-defined maps need a .BTF section (compile with -g)',
    );
  }
  const datasec = btf.types.find(
    (t) => t.kind === BtfKind.DATASEC && btf.nameOf(t.nameOffset) === section.name,
  );
  if (!datasec) {
    if (variables.length === 0) return [];
    throw mapError(section, variables[0].name, `.BTF has no DATASEC named '${section.name}'`);
  }
  const byName = new Map(variables.map((v) => [v.name, v]));
  const maps: MapDefinition[] = [];
  const structs = new Map<number, MapStruct>();
  for (const info of datasec.secinfos ?? []) {
    const variable = btfTypeById(btf, info.type, datasec.id);
    const name = btf.nameOf(variable.nameOffset);
    if (variable.kind !== BtfKind.VAR) {
      throw mapError(
        section,
        name,
        `DATASEC entry is BTF type ${variable.id} of kind ${variable.kind}, not a variable`,
      );
    }
    const symbol = byName.get(name);
    const offset = symbol ? symbol.value : info.offset;
    if (offset > section.size) {
      throw mapError(
        section,
        name,
        `offset ${offset} is outside the section (${section.size} bytes)`,
      );
    }
    const struct = skipBtfModifiers(btf, variable.sizeOrType);
    if (struct.kind !== BtfKind.STRUCT) {
      throw mapError(section, name, `BTF type ${struct.id} is not a struct`, offset);
    }
    // Maps of one struct type share its reading: hostile BTF cannot make the work quadratic.
    let attributes = structs.get(struct.id);
    if (!attributes) {
      attributes = readMapStruct(btf, struct, (reason) => mapError(section, name, reason, offset));
      structs.set(struct.id, attributes);
    }
    const { uints, keyTypeId, valueTypeId, keySize, valueSize, extra } = attributes;
    maps.push({
      index: firstIndex + maps.length,
      name,
      type: uints.type,
      typeName: mapTypeName(uints.type),
      keySize,
      valueSize,
      maxEntries: uints.max_entries ?? 0,
      flags: uints.map_flags ?? 0,
      source: 'btf',
      section: section.name,
      offset,
      ...(keyTypeId === undefined ? {} : { keyTypeId }),
      ...(valueTypeId === undefined ? {} : { valueTypeId }),
      ...(Object.keys(extra).length === 0 ? {} : { extra }),
    });
  }
  return maps;
}

/** Bytes of `struct bpf_map_def` the loader needs (type, key_size, value_size, max_entries). */
const LEGACY_MIN_SIZE = 16;

/**
 * Reads the legacy `struct bpf_map_def` maps of a `maps` section, numbering them from
 * `firstIndex`. Each named symbol in the section is one map; its size (or, for symbols without
 * one, the section's size divided by the number of maps) bounds what is read.
 *
 * @throws ElfError ELF_BAD_MAP for definitions shorter than 16 bytes or outside the section.
 */
export function readLegacyMaps(
  elf: ElfObject,
  section: ElfSection,
  firstIndex: number,
): MapDefinition[] {
  const variables = variablesIn(elf, section);
  if (variables.length === 0) return [];
  if (section.data.length !== section.size) {
    throw mapError(
      section,
      variables[0].name,
      `the section has no contents (type ${section.type})`,
    );
  }
  const view = new DataView(section.data.buffer, section.data.byteOffset, section.data.byteLength);
  const share = Math.floor(section.size / variables.length);
  return variables.map((symbol, i) => {
    const size = symbol.size > 0 ? symbol.size : share;
    const offset = symbol.value;
    if (size < LEGACY_MIN_SIZE) {
      throw mapError(
        section,
        symbol.name,
        `definition of ${size} bytes is shorter than ${LEGACY_MIN_SIZE}`,
        offset,
      );
    }
    if (offset > section.size || size > section.size - offset) {
      throw mapError(
        section,
        symbol.name,
        `definition (${size} bytes) runs past the section's end`,
        offset,
      );
    }
    const field = (n: number) => view.getUint32(offset + n * 4, true);
    const type = field(0);
    return {
      index: firstIndex + i,
      name: symbol.name,
      type,
      typeName: mapTypeName(type),
      keySize: field(1),
      valueSize: field(2),
      maxEntries: field(3),
      flags: size >= 20 ? field(4) : 0,
      source: 'legacy' as const,
      section: section.name,
      offset,
    };
  });
}
