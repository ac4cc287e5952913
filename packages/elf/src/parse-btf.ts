/**
 * The `.BTF` section: a header, a type section (one record per type, ids from 1 in order) and a
 * string section. The loader reads it to find BTF-defined maps; it keeps every type so that
 * other consumers can too. Lengths are checked before reading; names are decoded on demand; type
 * chains are followed at most {@link MAX_BTF_DEPTH} links deep.
 */
import { decodeName } from './decode-name.js';
import { ELF_BAD_BTF, ELF_BTF_TOO_DEEP, ElfError } from './elf-errors.js';
import type { ElfSection } from './parse-elf.js';

/** BTF type kinds (the `kind` bits of a type's `info` word). */
export const BtfKind = Object.freeze({
  VOID: 0,
  INT: 1,
  PTR: 2,
  ARRAY: 3,
  STRUCT: 4,
  UNION: 5,
  ENUM: 6,
  FWD: 7,
  TYPEDEF: 8,
  VOLATILE: 9,
  CONST: 10,
  RESTRICT: 11,
  FUNC: 12,
  FUNC_PROTO: 13,
  VAR: 14,
  DATASEC: 15,
  FLOAT: 16,
  DECL_TAG: 17,
  TYPE_TAG: 18,
  ENUM64: 19,
} as const);

/** The magic number that opens a little-endian `.BTF` section. */
export const BTF_MAGIC = 0xeb9f;
/** Longest chain of type references the loader follows (typedefs, qualifiers, arrays). */
export const MAX_BTF_DEPTH = 32;

const HEADER_SIZE = 24;
const TYPE_SIZE = 12;

/** Bytes each kind's record takes after the 12-byte common part: fixed part, and per `vlen` entry. */
const KIND_LAYOUT: Readonly<Record<number, readonly [fixed: number, perEntry: number]>> = {
  [BtfKind.INT]: [4, 0],
  [BtfKind.PTR]: [0, 0],
  [BtfKind.ARRAY]: [12, 0],
  [BtfKind.STRUCT]: [0, 12],
  [BtfKind.UNION]: [0, 12],
  [BtfKind.ENUM]: [0, 8],
  [BtfKind.FWD]: [0, 0],
  [BtfKind.TYPEDEF]: [0, 0],
  [BtfKind.VOLATILE]: [0, 0],
  [BtfKind.CONST]: [0, 0],
  [BtfKind.RESTRICT]: [0, 0],
  [BtfKind.FUNC]: [0, 0],
  [BtfKind.FUNC_PROTO]: [0, 8],
  [BtfKind.VAR]: [4, 0],
  [BtfKind.DATASEC]: [0, 12],
  [BtfKind.FLOAT]: [0, 0],
  [BtfKind.DECL_TAG]: [4, 0],
  [BtfKind.TYPE_TAG]: [0, 0],
  [BtfKind.ENUM64]: [0, 12],
};

/** A member of a struct or union. */
export interface BtfMember {
  readonly nameOffset: number;
  readonly type: number;
  /** Bit offset (with `kindFlag`, the low 24 bits; the high 8 are the bitfield size). */
  readonly offset: number;
}

/** A variable in a data section (`DATASEC`). */
export interface BtfVarSecinfo {
  readonly type: number;
  readonly offset: number;
  readonly size: number;
}

/** One BTF type record. */
export interface BtfType {
  readonly id: number;
  /** See {@link BtfKind}. */
  readonly kind: number;
  readonly nameOffset: number;
  readonly vlen: number;
  readonly kindFlag: boolean;
  /** The size in bytes (INT, STRUCT, UNION, ENUM, ENUM64, DATASEC, FLOAT) or the referenced type id. */
  readonly sizeOrType: number;
  /** STRUCT and UNION. */
  readonly members?: readonly BtfMember[];
  /** ARRAY. */
  readonly array?: { readonly type: number; readonly indexType: number; readonly count: number };
  /** DATASEC. */
  readonly secinfos?: readonly BtfVarSecinfo[];
  /** VAR: the linkage (0 static, 1 global, 2 extern). */
  readonly linkage?: number;
}

/** A parsed `.BTF` section. */
export interface Btf {
  readonly section: ElfSection;
  /** Types by id; index 0 is `void`. */
  readonly types: readonly BtfType[];
  /** Decodes a name from the string section (cached). */
  nameOf(offset: number): string;
}

function btfError(section: ElfSection, reason: string, typeId?: number, offset?: number) {
  return new ElfError(ELF_BAD_BTF, {
    section: section.name,
    sectionIndex: section.index,
    offset,
    typeId,
    reason,
  });
}

/**
 * Parses a `.BTF` section.
 *
 * @throws ElfError ELF_BAD_BTF on a bad header, lengths outside the section, an unknown kind or
 * a record cut short.
 * @example
 * const btf = parseBtf(findSection(elf, '.BTF')!);
 * btf.types.filter((t) => t.kind === BtfKind.DATASEC).map((t) => btf.nameOf(t.nameOffset));
 */
export function parseBtf(section: ElfSection): Btf {
  const bytes = section.data;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < HEADER_SIZE) {
    throw btfError(section, `${bytes.length} bytes cannot hold the ${HEADER_SIZE}-byte BTF header`);
  }
  const magic = view.getUint16(0, true);
  if (magic !== BTF_MAGIC) {
    throw btfError(
      section,
      magic === 0x9feb
        ? 'big-endian BTF in a little-endian object'
        : `bad magic 0x${magic.toString(16)} (expected 0xeb9f)`,
      undefined,
      0,
    );
  }
  if (bytes[2] !== 1) throw btfError(section, `unsupported BTF version ${bytes[2]}`, undefined, 2);
  const headerLength = view.getUint32(4, true);
  const typeOff = view.getUint32(8, true);
  const typeLen = view.getUint32(12, true);
  const strOff = view.getUint32(16, true);
  const strLen = view.getUint32(20, true);
  if (headerLength < HEADER_SIZE || headerLength > bytes.length) {
    throw btfError(section, `header length ${headerLength} is out of range`, undefined, 4);
  }
  const body = bytes.length - headerLength;
  if (typeOff > body || typeLen > body - typeOff) {
    throw btfError(section, `type section (${typeOff}+${typeLen}) is outside the section`);
  }
  if (strOff > body || strLen > body - strOff) {
    throw btfError(section, `string section (${strOff}+${strLen}) is outside the section`);
  }
  const strings = bytes.subarray(headerLength + strOff, headerLength + strOff + strLen);
  const types: BtfType[] = [
    { id: 0, kind: BtfKind.VOID, nameOffset: 0, vlen: 0, kindFlag: false, sizeOrType: 0 },
  ];
  const start = headerLength + typeOff;
  const end = start + typeLen;
  for (let at = start; at < end; ) {
    const id = types.length;
    if (end - at < TYPE_SIZE) throw btfError(section, 'type record cut short', id, at);
    const nameOffset = view.getUint32(at, true);
    const info = view.getUint32(at + 4, true);
    const sizeOrType = view.getUint32(at + 8, true);
    const kind = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    const kindFlag = info >>> 31 === 1;
    const layout = KIND_LAYOUT[kind];
    if (!layout) throw btfError(section, `unknown kind ${kind}`, id, at);
    const needed = TYPE_SIZE + layout[0] + layout[1] * vlen;
    if (end - at < needed) {
      throw btfError(section, `record needs ${needed} bytes, ${end - at} remain`, id, at);
    }
    const extra = at + TYPE_SIZE;
    let type: BtfType = { id, kind, nameOffset, vlen, kindFlag, sizeOrType };
    if (kind === BtfKind.STRUCT || kind === BtfKind.UNION) {
      const members: BtfMember[] = [];
      for (let i = 0; i < vlen; i++) {
        const m = extra + i * 12;
        members.push({
          nameOffset: view.getUint32(m, true),
          type: view.getUint32(m + 4, true),
          offset: view.getUint32(m + 8, true),
        });
      }
      type = { ...type, members };
    } else if (kind === BtfKind.ARRAY) {
      type = {
        ...type,
        array: {
          type: view.getUint32(extra, true),
          indexType: view.getUint32(extra + 4, true),
          count: view.getUint32(extra + 8, true),
        },
      };
    } else if (kind === BtfKind.DATASEC) {
      const secinfos: BtfVarSecinfo[] = [];
      for (let i = 0; i < vlen; i++) {
        const v = extra + i * 12;
        secinfos.push({
          type: view.getUint32(v, true),
          offset: view.getUint32(v + 4, true),
          size: view.getUint32(v + 8, true),
        });
      }
      type = { ...type, secinfos };
    } else if (kind === BtfKind.VAR) {
      type = { ...type, linkage: view.getUint32(extra, true) };
    }
    types.push(type);
    at += needed;
  }
  const names = new Map<number, string>();
  return {
    section,
    types,
    nameOf(offset: number) {
      let name = names.get(offset);
      if (name === undefined) {
        const decoded = decodeName(strings, offset);
        if (typeof decoded !== 'string') throw btfError(section, `type name: ${decoded.error}`);
        name = decoded;
        names.set(offset, name);
      }
      return name;
    },
  };
}

/** The type with id `id`, or an ELF_BAD_BTF error naming the type that referred to it. */
export function btfTypeById(btf: Btf, id: number, from?: number): BtfType {
  const type = btf.types[id];
  if (type === undefined) {
    throw btfError(
      btf.section,
      `refers to type ${id}, but there are only ${btf.types.length - 1} types`,
      from,
    );
  }
  return type;
}

const MODIFIERS: ReadonlySet<number> = new Set([
  BtfKind.TYPEDEF,
  BtfKind.VOLATILE,
  BtfKind.CONST,
  BtfKind.RESTRICT,
  BtfKind.TYPE_TAG,
]);

/**
 * Follows typedefs and qualifiers (`const`, `volatile`, `restrict`, type tags) from `id` to the
 * type they name, at most {@link MAX_BTF_DEPTH} links.
 *
 * @throws ElfError ELF_BTF_TOO_DEEP on a cycle or a longer chain.
 */
export function skipBtfModifiers(btf: Btf, id: number): BtfType {
  let type = btfTypeById(btf, id);
  for (let depth = 0; MODIFIERS.has(type.kind); depth++) {
    if (depth >= MAX_BTF_DEPTH) {
      throw new ElfError(ELF_BTF_TOO_DEEP, {
        section: btf.section.name,
        sectionIndex: btf.section.index,
        typeId: id,
        depth: MAX_BTF_DEPTH,
      });
    }
    type = btfTypeById(btf, type.sizeOrType, type.id);
  }
  return type;
}

/** Largest type size the loader accepts (a map's key or value beyond this is nonsense). */
const MAX_TYPE_SIZE = 0xffff_ffff;

/**
 * The size in bytes of type `id`, as `sizeof` would give it.
 *
 * @throws ElfError ELF_BAD_BTF for types without a size (void, functions, forward declarations)
 * or sizes beyond 2^32 - 1, ELF_BTF_TOO_DEEP for cyclic or too deep chains.
 * @example
 * btfTypeSize(btf, keyTypeId); // 4 for a __u32 key
 */
export function btfTypeSize(btf: Btf, id: number, depth = 0): number {
  if (depth >= MAX_BTF_DEPTH) {
    throw new ElfError(ELF_BTF_TOO_DEEP, {
      section: btf.section.name,
      sectionIndex: btf.section.index,
      typeId: id,
      depth: MAX_BTF_DEPTH,
    });
  }
  const type = skipBtfModifiers(btf, id);
  switch (type.kind) {
    case BtfKind.INT:
    case BtfKind.STRUCT:
    case BtfKind.UNION:
    case BtfKind.ENUM:
    case BtfKind.ENUM64:
    case BtfKind.FLOAT:
    case BtfKind.DATASEC:
      return type.sizeOrType;
    case BtfKind.PTR:
      return 8;
    case BtfKind.ARRAY: {
      const array = type.array!;
      const size = array.count === 0 ? 0 : btfTypeSize(btf, array.type, depth + 1) * array.count;
      if (size > MAX_TYPE_SIZE)
        throw btfError(btf.section, `array of ${size} bytes is too large`, type.id);
      return size;
    }
    case BtfKind.VAR:
      return btfTypeSize(btf, type.sizeOrType, depth + 1);
    default:
      throw btfError(btf.section, `type of kind ${type.kind} has no size`, type.id);
  }
}
