/**
 * Map helpers: lookup, update, delete, push, pop, peek (`bpf_map_*_elem`) and the ring buffer's
 * output, reserve, submit, discard and query, over the maps of a {@link MapRegistry}. The
 * program holds a map as its handle (what `lddw` of a map reference loads); the operations are
 * the maps' own program-side methods, which return what the kernel's do.
 */
import { type BpfMap, RingBufferMap } from '@ebpf/maps';
import type { HelperContext } from '@ebpf/vm';
import type { HelperEnvironment } from './helper-environment.js';
import { HELPERS_NOT_A_MAP, HelperError } from './helper-errors.js';
import type { HelperDefinition } from './helper-set.js';
import { KernelHelper } from './kernel-helper-ids.js';

/** The map a program's handle names. */
export function mapOf(
  env: HelperEnvironment,
  ctx: HelperContext,
  handle: bigint,
  helper: string,
): BpfMap {
  const map = env.maps?.fromHandle(handle);
  if (!map) {
    throw new HelperError(
      HELPERS_NOT_A_MAP,
      {
        helper,
        handle: BigInt.asUintN(64, handle),
        expected: 'map',
        problem: env.maps ? 'no map has this handle' : 'the helpers were given no maps',
      },
      ctx.pc,
    );
  }
  return map;
}

function ringOf(env: HelperEnvironment, ctx: HelperContext, handle: bigint, helper: string) {
  const map = mapOf(env, ctx, handle, helper);
  if (!(map instanceof RingBufferMap)) {
    throw new HelperError(
      HELPERS_NOT_A_MAP,
      { helper, handle, expected: 'ringbuf', problem: `map '${map.name}' is a ${map.typeName}` },
      ctx.pc,
    );
  }
  return map;
}

/** The ring buffer whose region holds `address` (a reserved record's data). */
function ringOfRecord(env: HelperEnvironment, ctx: HelperContext, address: bigint, helper: string) {
  const region = Number(BigInt.asUintN(64, address) >> 32n);
  for (const map of env.maps ?? []) {
    if (map instanceof RingBufferMap && map.region === region) return map;
  }
  throw new HelperError(
    HELPERS_NOT_A_MAP,
    {
      helper,
      handle: BigInt.asUintN(64, address),
      expected: 'ringbuf record',
      problem: 'the address is in no ring buffer',
    },
    ctx.pc,
  );
}

/** The map and ring-buffer helpers over `env.maps`. */
export function mapHelpers(env: HelperEnvironment): [number, HelperDefinition][] {
  const m = (ctx: HelperContext, h: bigint, name: string) => mapOf(env, ctx, h, name);
  return [
    [
      KernelHelper.MAP_LOOKUP_ELEM,
      {
        name: 'bpf_map_lookup_elem',
        signature: 'void *bpf_map_lookup_elem(struct bpf_map *map, const void *key)',
        prototype: { args: ['map', 'map_key'], ret: 'map_value_or_null' },
        fn: (r1, r2, _r3, _r4, _r5, ctx) =>
          m(ctx, r1, 'bpf_map_lookup_elem').lookupElem(r2, ctx.pc),
      },
    ],
    [
      KernelHelper.MAP_UPDATE_ELEM,
      {
        name: 'bpf_map_update_elem',
        signature:
          'long bpf_map_update_elem(struct bpf_map *map, const void *key, const void *value, u64 flags)',
        prototype: { args: ['map', 'map_key', 'map_value', 'anything'], ret: 'scalar' },
        fn: (r1, r2, r3, r4, _r5, ctx) =>
          m(ctx, r1, 'bpf_map_update_elem').updateElem(r2, r3, r4, ctx.pc),
      },
    ],
    [
      KernelHelper.MAP_DELETE_ELEM,
      {
        name: 'bpf_map_delete_elem',
        signature: 'long bpf_map_delete_elem(struct bpf_map *map, const void *key)',
        prototype: { args: ['map', 'map_key'], ret: 'scalar' },
        fn: (r1, r2, _r3, _r4, _r5, ctx) =>
          m(ctx, r1, 'bpf_map_delete_elem').deleteElem(r2, ctx.pc),
      },
    ],
    [
      KernelHelper.MAP_PUSH_ELEM,
      {
        name: 'bpf_map_push_elem',
        signature: 'long bpf_map_push_elem(struct bpf_map *map, const void *value, u64 flags)',
        prototype: { args: ['map', 'map_value', 'anything'], ret: 'scalar' },
        fn: (r1, r2, r3, _r4, _r5, ctx) => m(ctx, r1, 'bpf_map_push_elem').pushElem(r2, r3, ctx.pc),
      },
    ],
    [
      KernelHelper.MAP_POP_ELEM,
      {
        name: 'bpf_map_pop_elem',
        signature: 'long bpf_map_pop_elem(struct bpf_map *map, void *value)',
        // The value is written, not read: the kernel's ARG_PTR_TO_MAP_VALUE | MEM_UNINIT.
        prototype: { args: ['map', 'anything'], ret: 'scalar' },
        fn: (r1, r2, _r3, _r4, _r5, ctx) => m(ctx, r1, 'bpf_map_pop_elem').popElem(r2, ctx.pc),
      },
    ],
    [
      KernelHelper.MAP_PEEK_ELEM,
      {
        name: 'bpf_map_peek_elem',
        signature: 'long bpf_map_peek_elem(struct bpf_map *map, void *value)',
        prototype: { args: ['map', 'anything'], ret: 'scalar' },
        fn: (r1, r2, _r3, _r4, _r5, ctx) => m(ctx, r1, 'bpf_map_peek_elem').peekElem(r2, ctx.pc),
      },
    ],
    [
      KernelHelper.RINGBUF_OUTPUT,
      {
        name: 'bpf_ringbuf_output',
        signature: 'long bpf_ringbuf_output(void *ringbuf, void *data, u64 size, u64 flags)',
        prototype: { args: ['map', 'mem', 'mem_size', 'anything'], ret: 'scalar' },
        fn: (r1, r2, r3, r4, _r5, ctx) =>
          ringOf(env, ctx, r1, 'bpf_ringbuf_output').output(r2, r3, r4, ctx.pc),
      },
    ],
    [
      KernelHelper.RINGBUF_RESERVE,
      {
        name: 'bpf_ringbuf_reserve',
        signature: 'void *bpf_ringbuf_reserve(void *ringbuf, u64 size, u64 flags)',
        // The kernel's RET_PTR_TO_MEM_OR_NULL of ret_size_arg bytes, an acquired reference.
        prototype: {
          args: ['map', 'const_size', 'anything'],
          ret: 'mem_or_null',
          retSizeArg: 1,
          acquires: true,
        },
        fn: (r1, r2, r3, _r4, _r5, ctx) =>
          ringOf(env, ctx, r1, 'bpf_ringbuf_reserve').reserve(r2, r3),
      },
    ],
    [
      KernelHelper.RINGBUF_SUBMIT,
      {
        name: 'bpf_ringbuf_submit',
        signature: 'void bpf_ringbuf_submit(void *data, u64 flags)',
        // OBJ_RELEASE: the record reserve acquired; unusable afterwards.
        prototype: { args: ['anything', 'anything'], ret: 'void', releases: 0 },
        fn: (r1, r2, _r3, _r4, _r5, ctx) =>
          ringOfRecord(env, ctx, r1, 'bpf_ringbuf_submit').submit(r1, r2),
      },
    ],
    [
      KernelHelper.RINGBUF_DISCARD,
      {
        name: 'bpf_ringbuf_discard',
        signature: 'void bpf_ringbuf_discard(void *data, u64 flags)',
        // OBJ_RELEASE: the record reserve acquired; unusable afterwards.
        prototype: { args: ['anything', 'anything'], ret: 'void', releases: 0 },
        fn: (r1, r2, _r3, _r4, _r5, ctx) =>
          ringOfRecord(env, ctx, r1, 'bpf_ringbuf_discard').discard(r1, r2),
      },
    ],
    [
      KernelHelper.RINGBUF_QUERY,
      {
        name: 'bpf_ringbuf_query',
        signature: 'u64 bpf_ringbuf_query(void *ringbuf, u64 flags)',
        prototype: { args: ['map', 'anything'], ret: 'scalar' },
        fn: (r1, r2, _r3, _r4, _r5, ctx) => ringOf(env, ctx, r1, 'bpf_ringbuf_query').query(r2),
      },
    ],
  ];
}
