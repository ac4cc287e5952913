/**
 * What a program learns about where it runs: the current task (pid, tgid, uid, gid, comm), the
 * CPU and NUMA node, and pseudo-random numbers, all from the host environment.
 */

import { HelperErrno, negateErrno, u32 } from './guest-memory.js';
import type { HelperEnvironment } from './helper-environment.js';
import type { HelperDefinition } from './helper-set.js';
import { KernelHelper } from './kernel-helper-ids.js';

/** The task, CPU and random helpers. */
export function taskHelpers(env: HelperEnvironment): [number, HelperDefinition][] {
  const none = { args: [], ret: 'scalar' } as const;
  return [
    [
      KernelHelper.GET_PRANDOM_U32,
      {
        name: 'bpf_get_prandom_u32',
        signature: 'u32 bpf_get_prandom_u32(void)',
        prototype: none,
        fn: () => BigInt(env.random() >>> 0),
      },
    ],
    [
      KernelHelper.GET_SMP_PROCESSOR_ID,
      {
        name: 'bpf_get_smp_processor_id',
        signature: 'u32 bpf_get_smp_processor_id(void)',
        prototype: none,
        fn: () => BigInt(env.cpu()),
      },
    ],
    [
      KernelHelper.GET_NUMA_NODE_ID,
      {
        name: 'bpf_get_numa_node_id',
        signature: 'long bpf_get_numa_node_id(void)',
        prototype: none,
        fn: () => BigInt(env.numaNode),
      },
    ],
    [
      KernelHelper.GET_CURRENT_PID_TGID,
      {
        name: 'bpf_get_current_pid_tgid',
        signature: 'u64 bpf_get_current_pid_tgid(void)',
        prototype: none,
        fn: () => (BigInt(env.tgid) << 32n) | BigInt(env.pid),
      },
    ],
    [
      KernelHelper.GET_CURRENT_UID_GID,
      {
        name: 'bpf_get_current_uid_gid',
        signature: 'u64 bpf_get_current_uid_gid(void)',
        prototype: none,
        fn: () => (BigInt(env.gid) << 32n) | BigInt(env.uid),
      },
    ],
    [
      KernelHelper.GET_CURRENT_COMM,
      {
        name: 'bpf_get_current_comm',
        signature: 'long bpf_get_current_comm(void *buf, u32 size_of_buf)',
        // The buffer is written, not read (the kernel's ARG_PTR_TO_UNINIT_MEM).
        prototype: { args: ['anything', 'const_size'], ret: 'scalar' },
        fn: (r1, r2, _r3, _r4, _r5, ctx) => {
          const size = u32(r2);
          if (size === 0) return negateErrno(HelperErrno.EINVAL);
          const buf = ctx.view(r1, size, 'store');
          // strscpy_pad: as much of the name as fits with its NUL, the rest zeroed.
          buf.fill(0);
          buf.set(env.comm.subarray(0, Math.min(env.comm.length, size - 1)));
          return 0n;
        },
      },
    ],
  ];
}
