/**
 * percpu-counter: packets run on four simulated CPUs; each CPU's slot of the per-CPU array
 * counts only that CPU's packets and bytes per traffic class, and the shared per-CPU count
 * (indexed by bpf_get_smp_processor_id) agrees with them.
 */
import { createTypedMap, struct, u32, u64 } from '@ebpf/maps';
import { XdpAction } from '@ebpf/vm';
import { describe, expect, test } from 'vitest';
import { ENGINES, instantiateExample, perEngine, snapshotMaps } from './support/both-engines.js';
import { arpRequest, buildFrame } from './support/frames.js';

const CPUS = 4;
const CLASS = { IPV4: 0, IPV6: 1, ARP: 2, OTHER: 3 } as const;

/** The class the program should give a frame, worked out here from its EtherType. */
function classOf(frame: Uint8Array): number {
  if (frame.length < 14) return CLASS.OTHER;
  const etherType = (frame[12] << 8) | frame[13];
  if (etherType === 0x0800) return CLASS.IPV4;
  if (etherType === 0x86dd) return CLASS.IPV6;
  if (etherType === 0x0806) return CLASS.ARP;
  return CLASS.OTHER;
}

const frames = [
  buildFrame({ l4: { protocol: 'tcp', dport: 80 } }),
  buildFrame({ l4: { protocol: 'udp', dport: 53, payload: new Uint8Array(100) } }),
  buildFrame({ ipv6: true, l4: { protocol: 'tcp', dport: 443 } }),
  arpRequest(),
  buildFrame({ vlan: 5, l4: { protocol: 'tcp' } }), // a VLAN tag: class "other"
  Uint8Array.of(1, 2, 3), // shorter than an Ethernet header
];
/** Which CPU runs each packet: an uneven spread, CPU 3 gets none. */
const PLAN: readonly { cpu: number; frame: Uint8Array }[] = Array.from({ length: 23 }, (_, i) => ({
  cpu: [0, 1, 1, 2, 0, 2, 2][i % 7],
  frame: frames[(i * 5) % frames.length],
}));

const stats = struct({ packets: u64, bytes: u64 });

const report = perEngine((engine) => {
  const instance = instantiateExample('percpuCounter', engine, { cpus: CPUS });
  const program = instance.program('count_packets');
  const verdicts = PLAN.map(({ cpu, frame }) => {
    instance.maps.cpus.current = cpu;
    const { r0, insnCount } = program.run({ mem: frame.slice() });
    return { r0, insnCount };
  });
  const classStats = createTypedMap(instance.map('class_stats'), { key: u32, value: stats });
  const perCpu = createTypedMap(instance.map('packets_per_cpu'), { key: u32, value: u64 });
  return {
    verdicts: verdicts.map((v) => v.r0),
    insnCounts: verdicts.map((v) => v.insnCount),
    classStats: [0, 1, 2, 3].map((c) => classStats.getPerCpu(c)),
    packetsPerCpu: perCpu.values(),
    maps: snapshotMaps(instance),
  };
});

describe.each(ENGINES)('percpu-counter on %s', (engine) => {
  test('passes every packet', () => {
    expect(report(engine).verdicts).toEqual(PLAN.map(() => BigInt(XdpAction.PASS)));
  });

  test('each CPU’s slot holds exactly the packets and bytes run on that CPU, per class', () => {
    const expected = [0, 1, 2, 3].map(() =>
      Array.from({ length: CPUS }, () => ({ packets: 0n, bytes: 0n })),
    );
    for (const { cpu, frame } of PLAN) {
      expected[classOf(frame)][cpu].packets += 1n;
      expected[classOf(frame)][cpu].bytes += BigInt(frame.length);
    }
    expect(report(engine).classStats).toEqual(expected);
  });

  test('the shared array counts packets per CPU, and matches the per-CPU slots’ sums', () => {
    const { packetsPerCpu, classStats } = report(engine);
    const expected = Array.from({ length: 8 }, (_, cpu) =>
      BigInt(PLAN.filter((p) => p.cpu === cpu).length),
    );
    expect(packetsPerCpu).toEqual(expected);
    for (let cpu = 0; cpu < CPUS; cpu++) {
      const sum = classStats.reduce((n, perCpu) => n + (perCpu?.[cpu].packets ?? 0n), 0n);
      expect(sum).toBe(packetsPerCpu[cpu]);
    }
  });
});

test('percpu-counter: both engines leave the same per-CPU map contents', () => {
  expect(report('jit')).toEqual(report('interp'));
});
