import { MapSet } from '@ebpf/maps';
import { AddressSpace } from '@ebpf/vm';
import { describe, expect, it } from 'vitest';
import {
  createHostClock,
  createSeededRandom,
  createSteppingClock,
  initialJiffies,
  KernelHelper,
  kernelHelpers,
} from '../src/index.js';
import { createBench, neg, text } from './support/bench.js';

describe('time helpers read the host clock', () => {
  it('the default clock is deterministic and monotonic', () => {
    const a = createBench(kernelHelpers());
    const b = createBench(kernelHelpers());
    const readsA = [1, 2, 3].map(() => a.call(KernelHelper.KTIME_GET_NS));
    const readsB = [1, 2, 3].map(() => b.call(KernelHelper.KTIME_GET_NS));
    expect(readsA).toEqual(readsB);
    expect(readsA[1] - readsA[0]).toBe(1000n);
    expect(readsA[0]).toBe(1_000_000_000n);
  });

  it('boot time adds suspend, TAI adds its epoch, coarse time is whole ticks, jiffies count ticks', () => {
    const clock = createSteppingClock({
      startNs: 10_123_456_789n,
      stepNs: 0n,
      suspendedNs: 5n,
      taiAtBootNs: 1000n,
    });
    const b = createBench(kernelHelpers({ clock, hz: 100 }));
    expect(b.call(KernelHelper.KTIME_GET_NS)).toBe(10_123_456_789n);
    expect(b.call(KernelHelper.KTIME_GET_BOOT_NS)).toBe(10_123_456_794n);
    expect(b.call(KernelHelper.KTIME_GET_TAI_NS)).toBe(10_123_457_794n);
    expect(b.call(KernelHelper.KTIME_GET_COARSE_NS)).toBe(10_120_000_000n);
    expect(b.call(KernelHelper.JIFFIES64)).toBe(initialJiffies(100) + 1012n);
    expect(initialJiffies(100)).toBe(0x1_0000_0000n - 30_000n);
  });

  it('a host clock converts milliseconds', () => {
    let ms = 1.5;
    const clock = createHostClock(() => ms, 1000);
    expect(clock.monotonicNs()).toBe(1_500_000n);
    ms = 2;
    expect(clock.taiNs()).toBe(1_002_000_000n);
  });
});

describe('task, CPU and random helpers report the host environment', () => {
  it('pid/tgid and uid/gid pack as the kernel packs them', () => {
    const b = createBench(kernelHelpers({ pid: 11, tgid: 10, uid: 1000, gid: 100 }));
    expect(b.call(KernelHelper.GET_CURRENT_PID_TGID)).toBe((10n << 32n) | 11n);
    expect(b.call(KernelHelper.GET_CURRENT_UID_GID)).toBe((100n << 32n) | 1000n);
    const d = createBench(kernelHelpers({ pid: 5 }));
    expect(d.call(KernelHelper.GET_CURRENT_PID_TGID)).toBe((5n << 32n) | 5n);
  });

  it('get_current_comm copies the name NUL-terminated and zero-padded, or cut to fit', () => {
    const b = createBench(kernelHelpers({ comm: 'nginx' }));
    const buf = b.region(new Uint8Array(16).fill(0xee));
    expect(b.call(KernelHelper.GET_CURRENT_COMM, buf, 16)).toBe(0n);
    expect(text(b.bytes(buf, 16))).toBe(`nginx${'\0'.repeat(11)}`);
    expect(b.call(KernelHelper.GET_CURRENT_COMM, buf, 3)).toBe(0n);
    expect(text(b.bytes(buf, 4))).toBe('ng\0n'); // only size bytes are touched
    expect(b.call(KernelHelper.GET_CURRENT_COMM, buf, 0)).toBe(neg(22));
  });

  it('the CPU follows the maps’ current CPU unless fixed', () => {
    const space = new AddressSpace();
    const maps = new MapSet(space, { cpus: 4 });
    const b = createBench(kernelHelpers({ maps }), space);
    expect(b.call(KernelHelper.GET_SMP_PROCESSOR_ID)).toBe(0n);
    maps.cpus.current = 3;
    expect(b.call(KernelHelper.GET_SMP_PROCESSOR_ID)).toBe(3n);
    expect(
      createBench(kernelHelpers({ maps, cpu: 1 })).call(KernelHelper.GET_SMP_PROCESSOR_ID),
    ).toBe(1n);
    expect(createBench(kernelHelpers({ numaNode: 2 })).call(KernelHelper.GET_NUMA_NODE_ID)).toBe(
      2n,
    );
  });

  it('prandom is a seeded u32 stream: same seed same numbers, another seed others', () => {
    const draw = (seed: number) => {
      const b = createBench(kernelHelpers({ seed }));
      return Array.from({ length: 50 }, () => b.call(KernelHelper.GET_PRANDOM_U32));
    };
    const a = draw(1);
    expect(draw(1)).toEqual(a);
    expect(draw(2)).not.toEqual(a);
    for (const x of a) expect(x >= 0n && x <= 0xffff_ffffn).toBe(true);
    expect(new Set(a).size).toBe(50);
    const next = createSeededRandom(9);
    expect(createBench(kernelHelpers({ random: next })).call(KernelHelper.GET_PRANDOM_U32)).toBe(
      BigInt(createSeededRandom(9)()),
    );
  });
});
