/**
 * `--map-set MAP:KEY[=VALUE]`: seeding a map from the command line.
 *
 * KEY and VALUE are byte strings written as one or more comma-separated parts:
 *
 * - `0x` and an even number of hex digits: those bytes **in memory order** (`0x1700` is the bytes
 *   17 00, the little-endian u16 23);
 * - a decimal number with a width suffix, `u8`, `u16`, `u32` or `u64`: that many bytes,
 *   little-endian as eBPF stores integers (`23u16` is also 17 00);
 * - a lone decimal number without a suffix: little-endian over the whole key or value size
 *   (`blocked_ports:23=1` with a 2-byte key and an 8-byte value).
 *
 * The parts together must make exactly the map's key (value) size. VALUE may be left out: the
 * value is then all zeros. Per-CPU maps get the value on every CPU.
 */
import type { BpfMap } from '@ebpf/maps';
import { UsageError } from '../usage-error.js';
import { CLI_MAP_SET_INVALID, RunError } from './run-errors.js';

/** One `--map-set` as written: the map's name, and the key and value texts. */
export interface MapSetting {
  readonly spec: string;
  readonly map: string;
  readonly key: string;
  readonly value: string | undefined;
}

const SYNTAX =
  "MAP:KEY[=VALUE], e.g. 'blocked_ports:23=1' or 'blocked_ports:0x1700=0x0100000000000000'";

/**
 * Splits one `--map-set` argument into map name, key and value texts.
 *
 * @throws UsageError when it is not `MAP:KEY[=VALUE]`.
 * @example
 * parseMapSetting('blocked_ports:23=1'); // { map: 'blocked_ports', key: '23', value: '1', ... }
 */
export function parseMapSetting(spec: string): MapSetting {
  const colon = spec.indexOf(':');
  if (colon <= 0) throw new UsageError(`--map-set '${spec}': expected ${SYNTAX}`);
  const map = spec.slice(0, colon);
  const rest = spec.slice(colon + 1);
  const eq = rest.indexOf('=');
  const key = eq < 0 ? rest : rest.slice(0, eq);
  const value = eq < 0 ? undefined : rest.slice(eq + 1);
  if (key === '' || value === '') throw new UsageError(`--map-set '${spec}': expected ${SYNTAX}`);
  for (const text of value === undefined ? [key] : [key, value]) checkByteSyntax(spec, text);
  return { spec, map, key, value };
}

const HEX_PART = /^0x((?:[0-9a-fA-F]{2})+)$/;
const INT_PART = /^(\d+)(u8|u16|u32|u64)?$/;
const WIDTHS: Record<string, number> = { u8: 1, u16: 2, u32: 4, u64: 8 };

function checkByteSyntax(spec: string, text: string): void {
  const parts = text.split(',');
  for (const part of parts) {
    const int = INT_PART.exec(part);
    if (HEX_PART.test(part)) continue;
    if (int && (int[2] !== undefined || parts.length === 1)) continue;
    throw new UsageError(
      `--map-set '${spec}': bad bytes '${part}': write 0x and hex byte pairs in memory order, ` +
        'or a decimal number (with u8/u16/u32/u64 when it is one of several comma-separated parts)',
    );
  }
}

function littleEndian(spec: string, value: bigint, size: number): Uint8Array {
  if (size <= 0 || value >> BigInt(8 * size) !== 0n) {
    throw new RunError(CLI_MAP_SET_INVALID, {
      spec,
      reason: `${value} does not fit in ${size} byte${size === 1 ? '' : 's'}`,
    });
  }
  const out = new Uint8Array(size);
  let v = value;
  for (let i = 0; i < size; i++, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}

/**
 * The bytes a key or value text stands for, which must be `size` long.
 *
 * @throws RunError CLI_MAP_SET_INVALID when a number does not fit or the length is wrong.
 * @example
 * encodeMapBytes('x:23', '23', 2); // Uint8Array [0x17, 0x00]
 */
export function encodeMapBytes(spec: string, text: string, size: number, what = 'key'): Uint8Array {
  const parts = text.split(',');
  const chunks = parts.map((part) => {
    const hex = HEX_PART.exec(part);
    if (hex) return Uint8Array.from(hex[1]!.match(/../g)!, (h) => Number.parseInt(h, 16));
    const int = INT_PART.exec(part)!;
    const width = int[2] === undefined ? size : WIDTHS[int[2]]!;
    return littleEndian(spec, BigInt(int[1]!), width);
  });
  const total = chunks.reduce((n, c) => n + c.length, 0);
  if (total !== size) {
    throw new RunError(CLI_MAP_SET_INVALID, {
      spec,
      reason: `the ${what} is ${total} byte${total === 1 ? '' : 's'}; the map's ${what}s are ${size}`,
    });
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** The part of a map `--map-set` needs: key/value sizes and a byte-level update. */
interface UpdatableMap {
  readonly name: string;
  readonly keySize: number;
  readonly valueSize: number;
  update(key: Uint8Array, value: Uint8Array, flags?: number): number;
}

function isUpdatable(map: BpfMap): map is BpfMap & UpdatableMap {
  return typeof (map as Partial<UpdatableMap>).update === 'function' && map.keySize > 0;
}

/**
 * Stores one setting into `map` (found by the caller by name).
 *
 * @throws RunError CLI_MAP_SET_INVALID for a map without keyed updates (ring buffers, program
 * arrays, queues), a wrong size, or an update the map refuses (with its errno).
 */
export function applyMapSetting(map: BpfMap, setting: MapSetting): void {
  const { spec } = setting;
  if (!isUpdatable(map)) {
    throw new RunError(CLI_MAP_SET_INVALID, {
      spec,
      reason: `map '${map.name}' (${map.typeName}) has no keys to set`,
    });
  }
  const key = encodeMapBytes(spec, setting.key, map.keySize, 'key');
  const value =
    setting.value === undefined
      ? new Uint8Array(map.valueSize)
      : encodeMapBytes(spec, setting.value, map.valueSize, 'value');
  const errno = map.update(key, value, 0);
  if (errno !== 0) {
    throw new RunError(CLI_MAP_SET_INVALID, {
      spec,
      reason: `map '${map.name}' refused the update (errno ${-errno})`,
    });
  }
}
