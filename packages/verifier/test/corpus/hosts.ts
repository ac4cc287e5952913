/** Host declarations the corpus programs are verified against. */
import type { HelperPrototype, HostDeclaration, MapDeclaration } from '../../src/index.js';

/** Map 1: 4-byte keys, 16-byte values. Map 2: 8-byte keys, 8-byte values. */
export const MAPS: ReadonlyMap<number, MapDeclaration> = new Map([
  [1, { name: 'counts', keySize: 4, valueSize: 16 }],
  [2, { name: 'flags', keySize: 8, valueSize: 8 }],
]);

/** {@link CTX} plus map 3: a read-only (`BPF_F_RDONLY_PROG`) 8-byte value, as libbpf's `.rodata`. */
export const MAPS_RODATA: ReadonlyMap<number, MapDeclaration> = new Map([
  ...MAPS,
  [3, { name: 'obj.rodata', keySize: 4, valueSize: 8, readOnly: true }],
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
  [
    181,
    {
      name: 'loop',
      args: ['scalar', 'anything', 'anything', 'scalar'],
      ret: 'scalar',
      callback: { arg: 1, params: ['scalar', { arg: 2 }] },
    },
  ],
]);

/** A plain 16-byte read-only context. */
export const CTX: HostDeclaration = { context: { size: 16 }, maps: MAPS, helpers: HELPERS };
/** {@link CTX} with the read-only map 3 of {@link MAPS_RODATA}. */
export const CTX_RODATA: HostDeclaration = { ...CTX, maps: MAPS_RODATA };
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

/**
 * {@link XDP} plus map 4, a ring buffer, and the kernel's ring-buffer helpers: reserve (131)
 * returns `size` bytes or null as a reference that submit (132) or discard (133) releases.
 */
export const RINGBUF: HostDeclaration = {
  ...XDP,
  maps: new Map([...MAPS, [4, { name: 'events', keySize: 0, valueSize: 0 }]]),
  helpers: new Map<number, HelperPrototype>([
    ...HELPERS,
    [
      131,
      {
        name: 'ringbuf_reserve',
        args: ['map', 'const_size', 'anything'],
        ret: 'mem_or_null',
        retSizeArg: 1,
        acquires: true,
      },
    ],
    [132, { name: 'ringbuf_submit', args: ['anything', 'anything'], ret: 'void', releases: 0 }],
    [133, { name: 'ringbuf_discard', args: ['anything', 'anything'], ret: 'void', releases: 0 }],
  ]),
};
