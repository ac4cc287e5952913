/**
 * What an object declares about one map. The loader creates no maps: it reports each map's
 * attributes, and programs refer to a map by its index in `BpfObject.maps` (see `link-program.ts`).
 * Global-data sections are maps too (libbpf's internal maps, see `internal-maps.ts`), listed
 * after the declared ones.
 */

import type { MapDefinition as MapAttributes } from '@ebpf/maps';

/** The kernel's name of a map type number, from @ebpf/maps (one list of names in the project). */
export { mapTypeName } from '@ebpf/maps';

/**
 * One map of an object: declared in `.maps` (BTF-defined) or in the legacy `maps` section, or
 * made by the loader for a global-data section (`internal: true`). The attributes a map is created
 * from (name, type, key and value sizes, max entries, flags) are @ebpf/maps' `MapDefinition`, with
 * every field present; the rest says where the declaration came from.
 */
export interface MapDefinition extends Required<Omit<MapAttributes, 'initialValue'>> {
  /** Position in `BpfObject.maps`: what a linked `lddw` (src 5, map by index) carries in its imm. */
  readonly index: number;
  /** The type's name from `mapTypeName` of @ebpf/maps (`'hash'`), or `'unknown'` for numbers past it. */
  readonly typeName: string;
  /** Where the declaration came from; `'internal'` for a global-data section's map. */
  readonly source: 'btf' | 'legacy' | 'internal';
  /** The section holding the map variable (`.maps` or `maps`), or the data section (`.rodata`). */
  readonly section: string;
  /** Offset of the map variable inside that section (0 for internal maps). */
  readonly offset: number;
  /** Internal maps only: `true`, this map holds a global-data section, as libbpf's internal maps. */
  readonly internal?: true;
  /** Internal maps only: the section's index in `BpfObject.data`. */
  readonly dataIndex?: number;
  /**
   * Internal maps only: the initial bytes of the one value, the section's contents (the same
   * array as `BpfObject.data[dataIndex].bytes`); absent for `.bss*`, which starts zeroed.
   */
  readonly initialValue?: MapAttributes['initialValue'];
  /** BTF-defined maps only: the key and value type ids given with `__type(key, T)`/`__type(value, T)`. */
  readonly keyTypeId?: number;
  readonly valueTypeId?: number;
  /** BTF-defined maps only: other integer attributes given with `__uint(name, value)` (`pinning`, `numa_node`, `map_extra`). */
  readonly extra?: Readonly<Record<string, number>>;
}
