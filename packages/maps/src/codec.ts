/**
 * Codecs: how a TypeScript value becomes the bytes of a map key or value and back, little-endian
 * (the VM's byte order) with C's natural alignment for structs, so that a struct codec matches
 * what clang lays out for the same C struct.
 */
import { MAP_BAD_ARGUMENT, MAP_BAD_VALUE, MapError } from './map-errors.js';

/** Turns values of type `T` into `size` bytes and back. */
export interface Codec<T> {
  /** Bytes an encoded value takes. */
  readonly size: number;
  /** Alignment inside a struct (1, 2, 4 or 8). */
  readonly align: number;
  encode(value: T): Uint8Array;
  decode(bytes: Uint8Array): T;
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function badValue(what: string, value: unknown): MapError {
  return new MapError(MAP_BAD_ARGUMENT, {
    argument: `${what} value`,
    problem: `${String(value)} does not fit`,
  });
}

function checkLength(bytes: Uint8Array, size: number): void {
  if (!(bytes instanceof Uint8Array) || bytes.length < size) {
    throw new MapError(MAP_BAD_VALUE, {
      map: '',
      expected: size,
      actual: bytes instanceof Uint8Array ? bytes.length : -1,
    });
  }
}

function integer(
  what: string,
  size: 1 | 2 | 4,
  signed: boolean,
  get: (v: DataView) => number,
  set: (v: DataView, n: number) => void,
): Codec<number> {
  const min = signed ? -(2 ** (size * 8 - 1)) : 0;
  const max = signed ? 2 ** (size * 8 - 1) - 1 : 2 ** (size * 8) - 1;
  return Object.freeze({
    size,
    align: size,
    encode(value: number) {
      if (!Number.isInteger(value) || value < min || value > max) throw badValue(what, value);
      const out = new Uint8Array(size);
      set(viewOf(out), value);
      return out;
    },
    decode(bytes: Uint8Array) {
      checkLength(bytes, size);
      return get(viewOf(bytes));
    },
  });
}

/** An unsigned byte. */
export const u8: Codec<number> = integer(
  'u8',
  1,
  false,
  (v) => v.getUint8(0),
  (v, n) => v.setUint8(0, n),
);
/** An unsigned 16-bit integer. */
export const u16: Codec<number> = integer(
  'u16',
  2,
  false,
  (v) => v.getUint16(0, true),
  (v, n) => v.setUint16(0, n, true),
);
/** An unsigned 32-bit integer (array indices, counters). */
export const u32: Codec<number> = integer(
  'u32',
  4,
  false,
  (v) => v.getUint32(0, true),
  (v, n) => v.setUint32(0, n, true),
);
/** A signed 32-bit integer. */
export const i32: Codec<number> = integer(
  'i32',
  4,
  true,
  (v) => v.getInt32(0, true),
  (v, n) => v.setInt32(0, n, true),
);

function bigInteger(what: string, signed: boolean): Codec<bigint> {
  return Object.freeze({
    size: 8,
    align: 8,
    encode(value: bigint) {
      const ok =
        typeof value === 'bigint' &&
        (signed ? BigInt.asIntN(64, value) === value : BigInt.asUintN(64, value) === value);
      if (!ok) throw badValue(what, value);
      const out = new Uint8Array(8);
      if (signed) viewOf(out).setBigInt64(0, value, true);
      else viewOf(out).setBigUint64(0, value, true);
      return out;
    },
    decode(bytes: Uint8Array) {
      checkLength(bytes, 8);
      return signed ? viewOf(bytes).getBigInt64(0, true) : viewOf(bytes).getBigUint64(0, true);
    },
  });
}

/** An unsigned 64-bit integer, as a `bigint`. */
export const u64: Codec<bigint> = bigInteger('u64', false);
/** A signed 64-bit integer, as a `bigint`. */
export const i64: Codec<bigint> = bigInteger('i64', true);

/**
 * Raw bytes of a fixed size (byte-aligned).
 *
 * @example
 * const mac = bytes(6); mac.encode(new Uint8Array([1, 2, 3, 4, 5, 6]));
 */
export function bytes(size: number): Codec<Uint8Array> {
  if (!Number.isInteger(size) || size < 0) throw badValue('byte count', size);
  return Object.freeze({
    size,
    align: 1,
    encode(value: Uint8Array) {
      if (!(value instanceof Uint8Array) || value.length !== size) {
        throw badValue(
          `${size}-byte`,
          value instanceof Uint8Array ? `${value.length} bytes` : value,
        );
      }
      return new Uint8Array(value);
    },
    decode(data: Uint8Array) {
      checkLength(data, size);
      return data.slice(0, size);
    },
  });
}

/** The TypeScript shape a struct codec encodes: one property per field. */
export type StructValue<F extends Record<string, Codec<unknown>>> = {
  [K in keyof F]: F[K] extends Codec<infer T> ? T : never;
};

/**
 * A C struct: fields in declaration order, each at its natural alignment, the size padded to the
 * largest alignment (as clang lays out `struct { ... }` for BPF). Padding encodes as zeros.
 *
 * @example
 * const flow = struct({ packets: u64, bytes: u64, proto: u8 }); // 24 bytes
 * flow.encode({ packets: 1n, bytes: 60n, proto: 6 });
 */
export function struct<F extends Record<string, Codec<unknown>>>(fields: F): Codec<StructValue<F>> {
  const layout: { name: string; codec: Codec<unknown>; offset: number }[] = [];
  let offset = 0;
  let align = 1;
  for (const [name, codec] of Object.entries(fields)) {
    offset = Math.ceil(offset / codec.align) * codec.align;
    layout.push({ name, codec, offset });
    offset += codec.size;
    align = Math.max(align, codec.align);
  }
  const size = Math.ceil(offset / align) * align;
  return Object.freeze({
    size,
    align,
    encode(value: StructValue<F>) {
      if (typeof value !== 'object' || value === null) throw badValue('struct', value);
      const out = new Uint8Array(size);
      for (const f of layout)
        out.set(f.codec.encode((value as Record<string, unknown>)[f.name]), f.offset);
      return out;
    },
    decode(data: Uint8Array) {
      checkLength(data, size);
      const out: Record<string, unknown> = {};
      for (const f of layout)
        out[f.name] = f.codec.decode(data.subarray(f.offset, f.offset + f.codec.size));
      return out as StructValue<F>;
    },
  });
}

/** An LPM trie key: a prefix length in bits and the data it applies to. */
export interface LpmKey {
  readonly prefixLen: number;
  readonly data: Uint8Array;
}

/**
 * The codec of LPM trie keys with `dataSize` bytes of data (`struct bpf_lpm_trie_key_u8`: u32
 * prefix length, then the data).
 *
 * @example
 * const ipv4 = lpmKeyCodec(4);
 * ipv4.encode({ prefixLen: 24, data: new Uint8Array([192, 168, 1, 0]) }); // 8 bytes
 */
export function lpmKeyCodec(dataSize: number): Codec<LpmKey> {
  const data = bytes(dataSize);
  return Object.freeze({
    size: 4 + dataSize,
    align: 4,
    encode(value: LpmKey) {
      const out = new Uint8Array(4 + dataSize);
      out.set(u32.encode(value.prefixLen));
      out.set(data.encode(value.data), 4);
      return out;
    },
    decode(raw: Uint8Array) {
      checkLength(raw, 4 + dataSize);
      return { prefixLen: u32.decode(raw), data: raw.slice(4, 4 + dataSize) };
    },
  });
}

/**
 * The bytes of an LPM key: `prefixLen` then `data`.
 *
 * @example
 * lpmKey(16, [10, 1, 0, 0]); // Uint8Array [16, 0, 0, 0, 10, 1, 0, 0]
 */
export function lpmKey(prefixLen: number, data: Uint8Array | readonly number[]): Uint8Array {
  return lpmKeyCodec(data.length).encode({ prefixLen, data: Uint8Array.from(data) });
}
