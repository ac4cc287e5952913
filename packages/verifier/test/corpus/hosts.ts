/** Host declarations the corpus programs are verified against. */
import type { HelperPrototype, HostDeclaration, MapDeclaration } from '../../src/index.js';

/** Map 1: 4-byte keys, 16-byte values. Map 2: 8-byte keys, 8-byte values. */
export const MAPS: ReadonlyMap<number, MapDeclaration> = new Map([
  [1, { name: 'counts', keySize: 4, valueSize: 16 }],
  [2, { name: 'flags', keySize: 8, valueSize: 8 }],
]);

/** Helpers, numbered as in Linux where they exist there. */
export const HELPERS: ReadonlyMap<number, HelperPrototype> = new Map<number, HelperPrototype>([
  [1, { name: 'map_lookup_elem', args: ['map', 'map_key'], ret: 'map_value_or_null' }],
  [2, { name: 'map_update_elem', args: ['map', 'map_key', 'map_value', 'scalar'], ret: 'scalar' }],
  [5, { name: 'identity', args: ['scalar'], ret: 'scalar' }],
  [6, { name: 'trace', args: ['mem', 'mem_size'], ret: 'scalar' }],
  [7, { name: 'ctx_len', args: ['ctx'], ret: 'scalar' }],
  [8, { name: 'hash', args: ['mem', 'const_size'], ret: 'scalar' }],
  [9, { name: 'scratch', args: ['scalar'], ret: 'mem_or_null', retSize: 32 }],
  [10, { name: 'nothing', args: [], ret: 'void' }],
  [11, { name: 'log', args: ['mem_or_null', 'mem_size'], ret: 'scalar' }],
]);

/** A plain 16-byte read-only context. */
export const CTX: HostDeclaration = { context: { size: 16 }, maps: MAPS, helpers: HELPERS };
/** A writable 16-byte context. */
export const CTX_RW: HostDeclaration = {
  context: { size: 16, writable: true },
  maps: MAPS,
  helpers: HELPERS,
};
/** An XDP-like context: data at offset 0, data_end at offset 4 (32-bit fields, as `xdp_md`). */
export const XDP: HostDeclaration = {
  context: { size: 24, packetData: 0, packetEnd: 4, packetFieldSize: 4, writable: true },
  maps: MAPS,
  helpers: HELPERS,
};
/** The VM's fixed-mbuff layout: 64-bit data and data_end fields at 0 and 8 of a writable context. */
export const MBUFF: HostDeclaration = {
  context: { size: 16, packetData: 0, packetEnd: 8, writable: true },
  maps: MAPS,
  helpers: HELPERS,
};
/** The conformance convention: r1 = 16 bytes of input memory, r2 = 16. */
export const MEM: HostDeclaration = {
  context: { size: 16, input: true },
  maps: MAPS,
  helpers: HELPERS,
};
/** XDP with the legacy packet loads enabled. */
export const XDP_PACKET: HostDeclaration = {
  ...XDP,
  groups: ['base64', 'atomic64', 'divmul64', 'packet'],
};
/** Context plus callx. */
export const CTX_CALLX: HostDeclaration = {
  ...CTX,
  groups: ['base64', 'atomic64', 'divmul64', 'callx'],
};
