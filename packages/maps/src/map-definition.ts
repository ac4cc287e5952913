/**
 * What a map is made from: the kernel's `BPF_MAP_CREATE` attributes, in the shape `@ebpf/elf`
 * reports them (`{ name, type, keySize, valueSize, maxEntries, flags }`, extra fields ignored).
 */
import { MAP_ACCESS_MASK, MapFlag, mapTypeName } from './map-constants.js';
import {
  MAP_BAD_ARGUMENT,
  MAP_BAD_FLAGS,
  MAP_BAD_KEY_SIZE,
  MAP_BAD_MAX_ENTRIES,
  MAP_BAD_VALUE_SIZE,
  MapError,
} from './map-errors.js';

/**
 * A map's attributes. `type` is an `enum bpf_map_type` number ({@link MapType}); `flags` are the
 * `map_flags` bits ({@link MapFlag}, default 0).
 *
 * @example
 * const counters: MapDefinition = { name: 'counters', type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 16 };
 */
export interface MapDefinition {
  readonly name?: string;
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags?: number;
  /**
   * Array maps (type 2) only: the initial bytes of element 0, at most `valueSize` of them (the
   * rest stays zero). libbpf's internal maps for `.data` and `.rodata` start with the section's
   * bytes this way.
   */
  readonly initialValue?: Uint8Array;
}

/** A definition with every field present and checked to be a u32. */
export interface CheckedDefinition {
  readonly name: string;
  readonly type: number;
  readonly typeName: string;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
}

const isU32 = (n: unknown): n is number =>
  typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 0xffff_ffff;

/**
 * Fills in defaults and checks that every numeric field is a u32 (what the kernel's `union
 * bpf_attr` can hold). Type-specific rules are each map kind's own.
 */
export function normalizeDefinition(def: MapDefinition): CheckedDefinition {
  if (typeof def !== 'object' || def === null) {
    throw new MapError(MAP_BAD_ARGUMENT, { argument: 'map definition', problem: 'not an object' });
  }
  const name = typeof def.name === 'string' ? def.name : '';
  const typeName = mapTypeName(def.type);
  const base = { map: name, typeName, errno: 22 };
  if (!isU32(def.keySize)) {
    throw new MapError(MAP_BAD_KEY_SIZE, {
      ...base,
      keySize: Number(def.keySize),
      expected: 'a u32',
    });
  }
  if (!isU32(def.valueSize)) {
    throw new MapError(MAP_BAD_VALUE_SIZE, {
      ...base,
      valueSize: Number(def.valueSize),
      expected: 'a u32',
    });
  }
  if (!isU32(def.maxEntries)) {
    throw new MapError(MAP_BAD_MAX_ENTRIES, {
      ...base,
      maxEntries: Number(def.maxEntries),
      expected: 'a u32',
    });
  }
  const flags = def.flags ?? 0;
  if (!isU32(flags)) {
    throw new MapError(MAP_BAD_FLAGS, {
      ...base,
      flags: Number(flags) >>> 0,
      problem: 'not a u32',
    });
  }
  return {
    name,
    type: def.type,
    typeName,
    keySize: def.keySize,
    valueSize: def.valueSize,
    maxEntries: def.maxEntries,
    flags,
  };
}

/** The rules one map type sets on a definition, as its kernel `map_alloc_check` does. */
export interface DefinitionRules {
  /** The key size, exactly, or a range. */
  readonly keySize: number | readonly [min: number, max: number];
  /** The value size, exactly, or a range. */
  readonly valueSize: number | readonly [min: number, max: number];
  /** Flags the type accepts (the kernel's `*_CREATE_FLAG_MASK`). */
  readonly flagMask: number;
  /** Flags the type requires (LPM tries require `BPF_F_NO_PREALLOC`). */
  readonly requiredFlags?: number;
  /** The errno for a size above the range (E2BIG for most types, EINVAL for some). */
  readonly tooBigErrno?: number;
}

function describeRange(rule: number | readonly [number, number]): string {
  return typeof rule === 'number' ? `${rule}` : `${rule[0]} to ${rule[1]}`;
}

function violates(rule: number | readonly [number, number], n: number): 'low' | 'high' | undefined {
  if (typeof rule === 'number') return n === rule ? undefined : n < rule ? 'low' : 'high';
  return n < rule[0] ? 'low' : n > rule[1] ? 'high' : undefined;
}

/**
 * Checks a definition against one type's rules, in the kernel's order: `max_entries`, flags, key
 * size, value size. Zero sizes and zero entries give EINVAL; sizes above a limit give E2BIG.
 */
export function checkDefinition(def: CheckedDefinition, rules: DefinitionRules): void {
  const base = { map: def.name, typeName: def.typeName };
  if (def.maxEntries === 0) {
    throw new MapError(MAP_BAD_MAX_ENTRIES, {
      ...base,
      errno: 22,
      maxEntries: 0,
      expected: 'at least 1',
    });
  }
  const badFlags = def.flags & ~rules.flagMask;
  if (badFlags !== 0) {
    throw new MapError(MAP_BAD_FLAGS, {
      ...base,
      errno: 22,
      flags: def.flags,
      problem: `flags 0x${(badFlags >>> 0).toString(16)} not allowed for this map type`,
    });
  }
  const required = rules.requiredFlags ?? 0;
  if ((def.flags & required) !== required) {
    throw new MapError(MAP_BAD_FLAGS, {
      ...base,
      errno: 22,
      flags: def.flags,
      problem: `this map type requires flags 0x${required.toString(16)}`,
    });
  }
  const access = def.flags & MAP_ACCESS_MASK;
  if (
    (access & (MapFlag.RDONLY | MapFlag.WRONLY)) === (MapFlag.RDONLY | MapFlag.WRONLY) ||
    (access & (MapFlag.RDONLY_PROG | MapFlag.WRONLY_PROG)) ===
      (MapFlag.RDONLY_PROG | MapFlag.WRONLY_PROG)
  ) {
    throw new MapError(MAP_BAD_FLAGS, {
      ...base,
      errno: 22,
      flags: def.flags,
      problem: 'read-only and write-only at once',
    });
  }
  const tooBig = rules.tooBigErrno ?? 7;
  const key = violates(rules.keySize, def.keySize);
  if (key) {
    throw new MapError(MAP_BAD_KEY_SIZE, {
      ...base,
      errno: key === 'high' && typeof rules.keySize !== 'number' ? tooBig : 22,
      keySize: def.keySize,
      expected: describeRange(rules.keySize),
    });
  }
  const value = violates(rules.valueSize, def.valueSize);
  if (value) {
    throw new MapError(MAP_BAD_VALUE_SIZE, {
      ...base,
      errno: value === 'high' && typeof rules.valueSize !== 'number' ? tooBig : 22,
      valueSize: def.valueSize,
      expected: describeRange(rules.valueSize),
    });
  }
}
