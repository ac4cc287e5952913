/**
 * `--dump-maps`: every map of an instance after the run, internal `.rodata`/`.data`/`.bss` maps
 * included, with keys and values as hex bytes in memory order. Per-CPU maps list one value per
 * CPU; arrays leave out elements that are all zero (and say how many); queues and stacks list
 * their values, ring buffers the records waiting (which the dump consumes).
 */
import { type BpfMap, KeyValueMap, type MapSet, QueueStackMap, RingBufferMap } from '@ebpf/maps';

/** Bytes as hex pairs, joined with `sep` (`'17 00'`, or `'1700'` for JSON). */
export function formatHexBytes(bytes: Uint8Array, sep = ' '): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(sep);
}

/** One map's contents, as plain data. */
export interface MapDump {
  readonly name: string;
  readonly type: string;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  /** Keyed maps: entries (per-CPU maps: `values`, one per CPU). */
  readonly entries?: readonly {
    readonly key: Uint8Array;
    readonly value?: Uint8Array;
    readonly values?: readonly Uint8Array[];
  }[];
  /** Arrays: elements left out because every byte (on every CPU) is zero. */
  readonly zeroElements?: number;
  /** Queues, stacks: the values; ring buffers: the records waiting. */
  readonly items?: readonly Uint8Array[];
}

const isZero = (b: Uint8Array) => b.every((x) => x === 0);

/** Takes the contents of one map (ring buffers are drained). */
export function dumpMap(map: BpfMap): MapDump {
  const base = {
    name: map.name,
    type: map.typeName,
    keySize: map.keySize,
    valueSize: map.valueSize,
    maxEntries: map.maxEntries,
  };
  if (map instanceof KeyValueMap) {
    const array = map.typeName.includes('array');
    let zeroElements = 0;
    const entries: NonNullable<MapDump['entries']>[number][] = [];
    for (const key of map.keys()) {
      if (map.perCpu) {
        const values = map.lookupPerCpu(key) ?? [];
        if (array && values.every(isZero)) zeroElements++;
        else entries.push({ key, values });
      } else {
        const value = map.lookup(key);
        if (value === undefined) continue;
        if (array && isZero(value)) zeroElements++;
        else entries.push({ key, value });
      }
    }
    return { ...base, entries, ...(array ? { zeroElements } : {}) };
  }
  if (map instanceof QueueStackMap) return { ...base, items: map.values() };
  if (map instanceof RingBufferMap) return { ...base, items: map.drain() };
  return base;
}

/** The contents of every map of `maps`, in object order. */
export function dumpMaps(maps: MapSet): MapDump[] {
  return [...maps].map(dumpMap);
}

/**
 * The dump as text: a header line per map, then `key: value` lines.
 *
 * @example
 * formatMapDumps(dumpMaps(instance.maps));
 * // map blocked_ports (hash, key 2 B, value 8 B, 1 of 1024 entries)
 * //   17 00: 01 00 00 00 00 00 00 00
 */
export function formatMapDumps(dumps: readonly MapDump[]): string {
  const lines: string[] = [];
  for (const d of dumps) {
    const count = d.entries
      ? `${d.entries.length + (d.zeroElements ?? 0)} of ${d.maxEntries} entries`
      : `${d.maxEntries} max entries`;
    lines.push(`map ${d.name} (${d.type}, key ${d.keySize} B, value ${d.valueSize} B, ${count})`);
    for (const e of d.entries ?? []) {
      if (e.values) {
        lines.push(`  ${formatHexBytes(e.key)}:`);
        e.values.forEach((v, cpu) => {
          lines.push(`    cpu ${cpu}: ${formatHexBytes(v)}`);
        });
      } else {
        lines.push(`  ${formatHexBytes(e.key)}: ${formatHexBytes(e.value!)}`);
      }
    }
    if (d.zeroElements) lines.push(`  (${d.zeroElements} all-zero elements not shown)`);
    if (d.items) {
      if (d.items.length === 0) lines.push('  (empty)');
      for (const item of d.items) lines.push(`  ${formatHexBytes(item)}`);
    }
    if (d.entries?.length === 0 && !d.zeroElements) lines.push('  (empty)');
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** The dump as JSON-safe data: bytes as hex strings without spaces. */
export function mapDumpsToJson(dumps: readonly MapDump[]): Record<string, unknown>[] {
  const hex = (b: Uint8Array) => formatHexBytes(b, '');
  return dumps.map((d) => ({
    name: d.name,
    type: d.type,
    keySize: d.keySize,
    valueSize: d.valueSize,
    maxEntries: d.maxEntries,
    ...(d.entries
      ? {
          entries: d.entries.map((e) =>
            e.values
              ? { key: hex(e.key), values: e.values.map(hex) }
              : { key: hex(e.key), value: hex(e.value!) },
          ),
        }
      : {}),
    ...(d.zeroElements === undefined ? {} : { zeroElements: d.zeroElements }),
    ...(d.items ? { items: d.items.map(hex) } : {}),
  }));
}
