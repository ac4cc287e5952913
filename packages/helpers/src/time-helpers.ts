/**
 * Time helpers over the host clock: `bpf_ktime_get_ns` (monotonic), `_boot_ns` (counting
 * suspend), `_coarse_ns` (monotonic at timer-tick resolution), `_tai_ns`, and `bpf_jiffies64`
 * (timer ticks, starting where the kernel starts them: 300 seconds before the 32-bit wrap).
 */
import type { HelperEnvironment } from './helper-environment.js';
import type { HelperDefinition } from './helper-set.js';
import { KernelHelper } from './kernel-helper-ids.js';

const NS_PER_S = 1_000_000_000n;

/** `bpf_jiffies64` at boot for a timer frequency of `hz` (the kernel's `INITIAL_JIFFIES`). */
export function initialJiffies(hz: number): bigint {
  return 0x1_0000_0000n - BigInt(300 * hz);
}

/** The clock helpers. */
export function timeHelpers(env: HelperEnvironment): [number, HelperDefinition][] {
  const hz = BigInt(env.hz);
  const tick = NS_PER_S / hz;
  const clock = env.clock;
  const none = { args: [], ret: 'scalar' } as const;
  return [
    [
      KernelHelper.KTIME_GET_NS,
      {
        name: 'bpf_ktime_get_ns',
        signature: 'u64 bpf_ktime_get_ns(void)',
        prototype: none,
        fn: () => clock.monotonicNs(),
      },
    ],
    [
      KernelHelper.KTIME_GET_BOOT_NS,
      {
        name: 'bpf_ktime_get_boot_ns',
        signature: 'u64 bpf_ktime_get_boot_ns(void)',
        prototype: none,
        fn: () => clock.bootNs(),
      },
    ],
    [
      KernelHelper.KTIME_GET_COARSE_NS,
      {
        name: 'bpf_ktime_get_coarse_ns',
        signature: 'u64 bpf_ktime_get_coarse_ns(void)',
        prototype: none,
        fn: () => {
          const t = clock.monotonicNs();
          return t - (t % tick);
        },
      },
    ],
    [
      KernelHelper.KTIME_GET_TAI_NS,
      {
        name: 'bpf_ktime_get_tai_ns',
        signature: 'u64 bpf_ktime_get_tai_ns(void)',
        prototype: none,
        fn: () => clock.taiNs(),
      },
    ],
    [
      KernelHelper.JIFFIES64,
      {
        name: 'bpf_jiffies64',
        signature: 'u64 bpf_jiffies64(void)',
        prototype: none,
        fn: () => initialJiffies(env.hz) + (clock.monotonicNs() * hz) / NS_PER_S,
      },
    ],
  ];
}
