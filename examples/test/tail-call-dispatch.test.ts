/**
 * tail-call-dispatch: the entry program tail-calls a per-protocol handler from the program
 * array `handlers`, which the host fills; an empty slot makes the tail call fall through. A
 * program that tail-calls itself shows the kernel's limit of 33 tail calls in a chain.
 */
import { createTypedMap, ProgramArrayMap, u32, u64 } from '@ebpf/maps';
import { XdpAction } from '@ebpf/vm';
import { describe, expect, test } from 'vitest';
import { ENGINES, instantiateExample, perEngine, snapshotMaps } from './support/both-engines.js';
import { arpRequest, buildFrame } from './support/frames.js';

/** `runs` slots, as the C source numbers them. */
const RUN = { DISPATCH: 0, TCP: 1, UDP: 2, ICMP: 3, MISSED: 4, CHAIN: 5 } as const;
/** The kernel's limit on tail calls in one chain (MAX_TAIL_CALL_CNT). */
const KERNEL_TAIL_CALL_LIMIT = 33;

interface Case {
  readonly name: string;
  readonly frame: Uint8Array;
  readonly verdict: number;
  /** The handler the packet reaches (a `runs` slot), or none. */
  readonly handler?: number;
}

const CASES: readonly Case[] = [
  {
    name: 'TCP',
    frame: buildFrame({ l4: { protocol: 'tcp', dport: 22 } }),
    verdict: XdpAction.PASS,
    handler: RUN.TCP,
  },
  {
    name: 'UDP to the discard port 9',
    frame: buildFrame({ l4: { protocol: 'udp', dport: 9 } }),
    verdict: XdpAction.DROP,
    handler: RUN.UDP,
  },
  {
    name: 'UDP to 53',
    frame: buildFrame({ l4: { protocol: 'udp', dport: 53 } }),
    verdict: XdpAction.PASS,
    handler: RUN.UDP,
  },
  {
    name: 'ICMP echo request',
    frame: buildFrame({ l4: { protocol: 'icmp', icmpType: 8 } }),
    verdict: XdpAction.DROP,
    handler: RUN.ICMP,
  },
  {
    name: 'ICMP echo reply',
    frame: buildFrame({ l4: { protocol: 'icmp', icmpType: 0 } }),
    verdict: XdpAction.PASS,
    handler: RUN.ICMP,
  },
  { name: 'ARP (not dispatched)', frame: arpRequest(), verdict: XdpAction.PASS },
  {
    name: 'IPv6 (not dispatched)',
    frame: buildFrame({ ipv6: true, l4: { protocol: 'udp', dport: 9 } }),
    verdict: XdpAction.PASS,
  },
];

const report = perEngine((engine) => {
  const instance = instantiateExample('tailCallDispatch', engine);
  const runs = createTypedMap(instance.map('runs'), { key: u32, value: u64 });
  const dispatch = instance.program('xdp_dispatch');
  const installed = [
    instance.setTailCall('handlers', 0, 'handle_tcp'),
    instance.setTailCall('handlers', 1, 'handle_udp'),
    instance.setTailCall('handlers', 2, 'handle_icmp'),
  ];

  // Each packet on its own, so that `runs` shows the path it took.
  const perPacket = CASES.map((c) => {
    for (let i = 0; i < 6; i++) runs.set(i, 0n);
    const result = dispatch.run({ mem: c.frame.slice() });
    return {
      r0: result.r0,
      insnCount: result.insnCount,
      tailCalls: result.tailCalls ?? 0,
      runs: runs.values(),
    };
  });

  // Take the UDP handler out: UDP falls through the failed tail call and is counted as missed.
  for (let i = 0; i < 6; i++) runs.set(i, 0n);
  const handlers = instance.map('handlers');
  if (!(handlers instanceof ProgramArrayMap)) throw new Error('handlers is not a program array');
  const removed = handlers.delete(1);
  const withoutUdp = dispatch.run({ mem: CASES[1].frame.slice() });
  const withoutUdpRuns = runs.values();

  // The self-chain: xdp_chain in slot 3 tail-calls slot 3 until the kernel's limit stops it.
  for (let i = 0; i < 6; i++) runs.set(i, 0n);
  const chainInstalled = instance.setTailCall('handlers', 3, 'xdp_chain');
  const chain = instance.program('xdp_chain').run({ mem: CASES[0].frame.slice() });
  return {
    installed,
    perPacket,
    removed,
    withoutUdp: {
      r0: withoutUdp.r0,
      insnCount: withoutUdp.insnCount,
      tailCalls: withoutUdp.tailCalls ?? 0,
      runs: withoutUdpRuns,
    },
    chainInstalled,
    chain: {
      r0: chain.r0,
      insnCount: chain.insnCount,
      tailCalls: chain.tailCalls ?? 0,
      runs: runs.values(),
    },
    maps: snapshotMaps(instance),
  };
});

/** The `runs` counters one packet should leave: the dispatcher, and its handler if any. */
function runsFor(c: Case): bigint[] {
  const runs = [0n, 0n, 0n, 0n, 0n, 0n];
  runs[RUN.DISPATCH] = 1n;
  if (c.handler !== undefined) runs[c.handler] = 1n;
  return runs;
}

describe.each(ENGINES)('tail-call-dispatch on %s', (engine) => {
  test('the host installs the handlers in the program array', () => {
    expect(report(engine).installed).toEqual([0, 0, 0]);
  });

  test.each(CASES.map((c, i) => [c.name, i] as const))('%s: verdict and route', (_name, i) => {
    const c = CASES[i];
    const got = report(engine).perPacket[i];
    expect(got.r0).toBe(BigInt(c.verdict));
    expect(got.runs).toEqual(runsFor(c));
    expect(got.tailCalls).toBe(c.handler === undefined ? 0 : 1);
  });

  test('a tail call to an empty slot returns to the caller, which counts a miss', () => {
    const { removed, withoutUdp } = report(engine);
    expect(removed).toBe(0);
    expect(withoutUdp.r0).toBe(BigInt(XdpAction.PASS));
    expect(withoutUdp.tailCalls).toBe(0);
    const runs = [0n, 0n, 0n, 0n, 0n, 0n];
    runs[RUN.DISPATCH] = 1n;
    runs[RUN.MISSED] = 1n;
    expect(withoutUdp.runs).toEqual(runs);
  });

  test('a self-chain stops after 33 tail calls: 34 runs, then XDP_PASS', () => {
    const { chainInstalled, chain } = report(engine);
    expect(chainInstalled).toBe(0);
    expect(chain.r0).toBe(BigInt(XdpAction.PASS));
    expect(chain.tailCalls).toBe(KERNEL_TAIL_CALL_LIMIT);
    expect(chain.runs[RUN.CHAIN]).toBe(BigInt(KERNEL_TAIL_CALL_LIMIT + 1));
  });
});

test('tail-call-dispatch: both engines route, count and stop the same way', () => {
  expect(report('jit')).toEqual(report('interp'));
});
