/**
 * `bpf_tail_call(ctx, prog_array, index)`: replaces the running program by the one at `index` of
 * a program array, through the VM's tail-call facility (see `runtime-hooks.ts`). As in the
 * kernel, an index past the array or an empty slot makes the call fail and the program go on,
 * and so does a chain that has already taken `MAX_TAIL_CALLS` (33) tail calls (the VM counts).
 *
 * The kernel's helper returns nothing the program may read; here r0 is 0 when the call was
 * scheduled, -ENOENT for a missing entry and the VM's errno otherwise (-E2BIG at the limit).
 * (The kernel also counts a call that finds an empty slot; here only calls that jump count.)
 */
import { ProgramArrayMap } from '@ebpf/maps';
import { HelperErrno, negateErrno } from './guest-memory.js';
import type { HelperEnvironment } from './helper-environment.js';
import { HELPERS_NOT_A_MAP, HelperError } from './helper-errors.js';
import type { HelperDefinition } from './helper-set.js';
import { KernelHelper } from './kernel-helper-ids.js';
import { mapOf } from './map-helpers.js';
import { requestTailCall } from './runtime-hooks.js';

/** The tail-call helper. */
export function tailCallHelpers(env: HelperEnvironment): [number, HelperDefinition][] {
  const name = 'bpf_tail_call';
  return [
    [
      KernelHelper.TAIL_CALL,
      {
        name,
        signature: 'long bpf_tail_call(void *ctx, struct bpf_map *prog_array_map, u32 index)',
        prototype: { args: ['ctx', 'map', 'anything'], ret: 'void' },
        fn: (_r1, r2, r3, _r4, _r5, ctx) => {
          const map = mapOf(env, ctx, r2, name);
          if (!(map instanceof ProgramArrayMap)) {
            throw new HelperError(
              HELPERS_NOT_A_MAP,
              {
                helper: name,
                handle: BigInt.asUintN(64, r2),
                expected: 'prog_array',
                problem: `map '${map.name}' is a ${map.typeName}`,
              },
              ctx.pc,
            );
          }
          const target = map.tailCallTarget(r3);
          if (target === undefined) return negateErrno(HelperErrno.ENOENT);
          return BigInt.asUintN(64, BigInt(requestTailCall(ctx, env.hooks, target)));
        },
      },
    ],
  ];
}
