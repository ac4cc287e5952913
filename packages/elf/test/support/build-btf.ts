/**
 * A tiny `.BTF` writer for tests: raw type records (the 12-byte common part plus kind-specific
 * words) and a string table, behind the 24-byte header.
 */
import { BtfKind } from '../../src/index.js';

export interface BtfRecord {
  readonly kind: number;
  readonly name?: string;
  readonly vlen?: number;
  readonly sizeOrType: number;
  /** Kind-specific 32-bit words after the common part; strings are name offsets to intern. */
  readonly extra?: readonly (number | string)[];
}

/** Builds the section's bytes. */
export function buildBtf(records: readonly BtfRecord[]): Uint8Array {
  const strings: number[] = [0];
  const seen = new Map<string, number>();
  const str = (s: string | undefined) => {
    if (!s) return 0;
    let at = seen.get(s);
    if (at === undefined) {
      at = strings.length;
      for (const c of s) strings.push(c.charCodeAt(0));
      strings.push(0);
      seen.set(s, at);
    }
    return at;
  };
  const words: number[] = [];
  for (const r of records) {
    words.push(str(r.name), ((r.kind & 0x1f) << 24) | (r.vlen ?? 0), r.sizeOrType);
    for (const w of r.extra ?? []) words.push(typeof w === 'string' ? str(w) : w);
  }
  const typeBytes = words.length * 4;
  const out = new Uint8Array(24 + typeBytes + strings.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, 0xeb9f, true);
  out[2] = 1;
  view.setUint32(4, 24, true);
  view.setUint32(8, 0, true);
  view.setUint32(12, typeBytes, true);
  view.setUint32(16, typeBytes, true);
  view.setUint32(20, strings.length, true);
  words.forEach((w, i) => {
    view.setUint32(24 + i * 4, w >>> 0, true);
  });
  out.set(strings, 24 + typeBytes);
  return out;
}

/**
 * Records for one BTF-defined map `name` in `.maps`, as `__uint(...)` attributes (type ids from
 * 1): int, then per attribute an array and a pointer, then the struct, the var and the DATASEC.
 * `key` (a `__type`) points to the int.
 */
export function mapRecords(
  name: string,
  uints: Readonly<Record<string, number>>,
  options: { key?: boolean } = {},
): BtfRecord[] {
  const records: BtfRecord[] = [{ kind: BtfKind.INT, name: 'int', sizeOrType: 4, extra: [32] }];
  const members: (number | string)[] = [];
  let offset = 0;
  for (const [field, value] of Object.entries(uints)) {
    records.push({ kind: BtfKind.ARRAY, sizeOrType: 0, extra: [1, 1, value] });
    records.push({ kind: BtfKind.PTR, sizeOrType: records.length });
    members.push(field, records.length, offset);
    offset += 64;
  }
  if (options.key) {
    records.push({ kind: BtfKind.PTR, sizeOrType: 1 });
    members.push('key', records.length, offset);
    offset += 64;
  }
  records.push({
    kind: BtfKind.STRUCT,
    vlen: members.length / 3,
    sizeOrType: offset / 8,
    extra: members,
  });
  const structId = records.length;
  records.push({ kind: BtfKind.VAR, name, sizeOrType: structId, extra: [1] });
  const varId = records.length;
  records.push({
    kind: BtfKind.DATASEC,
    name: '.maps',
    vlen: 1,
    sizeOrType: offset / 8,
    extra: [varId, 0, offset / 8],
  });
  return records;
}
