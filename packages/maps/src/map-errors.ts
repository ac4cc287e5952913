/**
 * Error codes of `@ebpf/maps` (range 9000-9999) and the one error class, {@link MapError}.
 * Definitions the kernel would refuse are `'load'` errors; host-side misuse of a map (a key of the
 * wrong size, an update the map refuses) is `'usage'`. Never remove, change or reorder codes.
 */
import { describePc, EbpfError, type EbpfErrorContextOf, type EbpfErrorKind } from '@ebpf/isa';

/** A map type number the kernel does not define. */
export const MAP_UNKNOWN_TYPE = 9001;
/** A kernel map type this package does not implement. */
export const MAP_UNSUPPORTED_TYPE = 9002;
/** A key size the map type does not allow. */
export const MAP_BAD_KEY_SIZE = 9003;
/** A value size the map type does not allow. */
export const MAP_BAD_VALUE_SIZE = 9004;
/** A `max_entries` the map type does not allow (zero, or a ring size that is no power of two). */
export const MAP_BAD_MAX_ENTRIES = 9005;
/** `map_flags` the map type does not allow (or lacks one it requires). */
export const MAP_BAD_FLAGS = 9006;
/** The map's memory would exceed the size limit. */
export const MAP_TOO_LARGE = 9007;
/** The address space refused the map's region (region table full, linear memory exhausted). */
export const MAP_NO_REGION = 9008;
/** A host-side operation the map refused, with the kernel's errno. */
export const MAP_OPERATION_FAILED = 9009;
/** A host-side key of the wrong size or shape. */
export const MAP_BAD_KEY = 9010;
/** A host-side value of the wrong size or shape. */
export const MAP_BAD_VALUE = 9011;
/** An operation this map type does not have (push on a hash map, per-CPU views of an array). */
export const MAP_WRONG_TYPE = 9012;
/** An `lddw` names a map fd or index the map set does not hold. */
export const MAP_UNKNOWN_REFERENCE = 9013;
/** An `lddw` asks for a map value address the map cannot give (not a one-entry array, bad offset). */
export const MAP_BAD_VALUE_REFERENCE = 9014;
/** A bad argument to the host API: a CPU index out of range, a map from another address space. */
export const MAP_BAD_ARGUMENT = 9015;

/** Every code of this package. */
export type MapErrorCode =
  | typeof MAP_UNKNOWN_TYPE
  | typeof MAP_UNSUPPORTED_TYPE
  | typeof MAP_BAD_KEY_SIZE
  | typeof MAP_BAD_VALUE_SIZE
  | typeof MAP_BAD_MAX_ENTRIES
  | typeof MAP_BAD_FLAGS
  | typeof MAP_TOO_LARGE
  | typeof MAP_NO_REGION
  | typeof MAP_OPERATION_FAILED
  | typeof MAP_BAD_KEY
  | typeof MAP_BAD_VALUE
  | typeof MAP_WRONG_TYPE
  | typeof MAP_UNKNOWN_REFERENCE
  | typeof MAP_BAD_VALUE_REFERENCE
  | typeof MAP_BAD_ARGUMENT;

/** What every definition error says about the map. */
interface DefinitionContext {
  /** The map's name ('' when the definition has none). */
  readonly map: string;
  readonly typeName: string;
  /** The errno the kernel's `BPF_MAP_CREATE` returns for this definition (positive). */
  readonly errno: number;
}

declare module '@ebpf/isa' {
  interface EbpfErrorContexts {
    [MAP_UNKNOWN_TYPE]: { readonly map: string; readonly type: number };
    [MAP_UNSUPPORTED_TYPE]: {
      readonly map: string;
      readonly type: number;
      readonly typeName: string;
    };
    [MAP_BAD_KEY_SIZE]: DefinitionContext & { readonly keySize: number; readonly expected: string };
    [MAP_BAD_VALUE_SIZE]: DefinitionContext & {
      readonly valueSize: number;
      readonly expected: string;
    };
    [MAP_BAD_MAX_ENTRIES]: DefinitionContext & {
      readonly maxEntries: number;
      readonly expected: string;
    };
    [MAP_BAD_FLAGS]: DefinitionContext & { readonly flags: number; readonly problem: string };
    [MAP_TOO_LARGE]: { readonly map: string; readonly bytes: number; readonly limit: number };
    [MAP_NO_REGION]: { readonly map: string; readonly bytes: number; readonly reason: string };
    [MAP_OPERATION_FAILED]: {
      readonly map: string;
      readonly operation: string;
      /** The kernel's result, negative (`-2` for ENOENT). */
      readonly errno: number;
      readonly errnoName: string;
    };
    [MAP_BAD_KEY]: { readonly map: string; readonly expected: number; readonly actual: number };
    [MAP_BAD_VALUE]: { readonly map: string; readonly expected: number; readonly actual: number };
    [MAP_WRONG_TYPE]: {
      readonly map: string;
      readonly typeName: string;
      readonly operation: string;
    };
    [MAP_UNKNOWN_REFERENCE]: {
      readonly by: 'fd' | 'index';
      readonly value: number;
      readonly known: readonly number[];
    };
    [MAP_BAD_VALUE_REFERENCE]: {
      readonly map: string;
      readonly offset: number;
      readonly problem: string;
    };
    [MAP_BAD_ARGUMENT]: { readonly argument: string; readonly problem: string };
  }
}

const names: Record<MapErrorCode, string> = {
  [MAP_UNKNOWN_TYPE]: 'MAP_UNKNOWN_TYPE',
  [MAP_UNSUPPORTED_TYPE]: 'MAP_UNSUPPORTED_TYPE',
  [MAP_BAD_KEY_SIZE]: 'MAP_BAD_KEY_SIZE',
  [MAP_BAD_VALUE_SIZE]: 'MAP_BAD_VALUE_SIZE',
  [MAP_BAD_MAX_ENTRIES]: 'MAP_BAD_MAX_ENTRIES',
  [MAP_BAD_FLAGS]: 'MAP_BAD_FLAGS',
  [MAP_TOO_LARGE]: 'MAP_TOO_LARGE',
  [MAP_NO_REGION]: 'MAP_NO_REGION',
  [MAP_OPERATION_FAILED]: 'MAP_OPERATION_FAILED',
  [MAP_BAD_KEY]: 'MAP_BAD_KEY',
  [MAP_BAD_VALUE]: 'MAP_BAD_VALUE',
  [MAP_WRONG_TYPE]: 'MAP_WRONG_TYPE',
  [MAP_UNKNOWN_REFERENCE]: 'MAP_UNKNOWN_REFERENCE',
  [MAP_BAD_VALUE_REFERENCE]: 'MAP_BAD_VALUE_REFERENCE',
  [MAP_BAD_ARGUMENT]: 'MAP_BAD_ARGUMENT',
};

const kinds: Record<MapErrorCode, EbpfErrorKind> = {
  [MAP_UNKNOWN_TYPE]: 'load',
  [MAP_UNSUPPORTED_TYPE]: 'load',
  [MAP_BAD_KEY_SIZE]: 'load',
  [MAP_BAD_VALUE_SIZE]: 'load',
  [MAP_BAD_MAX_ENTRIES]: 'load',
  [MAP_BAD_FLAGS]: 'load',
  [MAP_TOO_LARGE]: 'load',
  [MAP_NO_REGION]: 'load',
  [MAP_OPERATION_FAILED]: 'usage',
  [MAP_BAD_KEY]: 'usage',
  [MAP_BAD_VALUE]: 'usage',
  [MAP_WRONG_TYPE]: 'usage',
  [MAP_UNKNOWN_REFERENCE]: 'load',
  [MAP_BAD_VALUE_REFERENCE]: 'load',
  [MAP_BAD_ARGUMENT]: 'usage',
};

const quote = (name: string) => (name === '' ? 'map' : `map '${name}'`);

const messages: { [C in MapErrorCode]: (ctx: EbpfErrorContextOf<C>) => string } = {
  [MAP_UNKNOWN_TYPE]: (c) => `${quote(c.map)}: unknown map type ${c.type}`,
  [MAP_UNSUPPORTED_TYPE]: (c) =>
    `${quote(c.map)}: map type ${c.type} (${c.typeName}) is not implemented`,
  [MAP_BAD_KEY_SIZE]: (c) =>
    `${quote(c.map)} (${c.typeName}): key size ${c.keySize} not allowed (expected ${c.expected})`,
  [MAP_BAD_VALUE_SIZE]: (c) =>
    `${quote(c.map)} (${c.typeName}): value size ${c.valueSize} not allowed (expected ${c.expected})`,
  [MAP_BAD_MAX_ENTRIES]: (c) =>
    `${quote(c.map)} (${c.typeName}): max_entries ${c.maxEntries} not allowed (expected ${c.expected})`,
  [MAP_BAD_FLAGS]: (c) =>
    `${quote(c.map)} (${c.typeName}): map_flags 0x${c.flags.toString(16)}: ${c.problem}`,
  [MAP_TOO_LARGE]: (c) =>
    `${quote(c.map)}: needs ${c.bytes} bytes of memory, more than the limit of ${c.limit}`,
  [MAP_NO_REGION]: (c) => `${quote(c.map)}: no region of ${c.bytes} bytes: ${c.reason}`,
  [MAP_OPERATION_FAILED]: (c) =>
    `${quote(c.map)}: ${c.operation} failed with ${c.errnoName} (${c.errno})`,
  [MAP_BAD_KEY]: (c) => `${quote(c.map)}: key of ${c.actual} bytes, expected ${c.expected}`,
  [MAP_BAD_VALUE]: (c) => `${quote(c.map)}: value of ${c.actual} bytes, expected ${c.expected}`,
  [MAP_WRONG_TYPE]: (c) => `${quote(c.map)} (${c.typeName}) has no operation '${c.operation}'`,
  [MAP_UNKNOWN_REFERENCE]: (c) =>
    `lddw names map ${c.by} ${c.value}, which the map set does not hold (known: ${
      c.known.length === 0 ? 'none' : c.known.join(', ')
    })`,
  [MAP_BAD_VALUE_REFERENCE]: (c) =>
    `lddw asks for the value of ${quote(c.map)} at offset ${c.offset}: ${c.problem}`,
  [MAP_BAD_ARGUMENT]: (c) => `bad ${c.argument}: ${c.problem}`,
};

/**
 * The error every map operation throws on purpose.
 *
 * @example
 * try { createMap({ name: 'm', type: MapType.HASH, keySize: 0, valueSize: 8, maxEntries: 1 }, vm); }
 * catch (e) { if (isEbpfError(e, MAP_BAD_KEY_SIZE)) console.log(e.context.errno); } // 22
 */
export class MapError<C extends MapErrorCode = MapErrorCode> extends EbpfError<C> {
  constructor(code: C, context: EbpfErrorContextOf<C>, pc?: number, cause?: unknown) {
    const format = messages[code] as (ctx: EbpfErrorContextOf<C>) => string;
    super(kinds[code], code, names[code], `${describePc(pc)}${format(context)}`, context, {
      pc,
      cause,
    });
  }
}
