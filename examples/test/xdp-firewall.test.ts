/**
 * xdp-firewall: the host blocks ports in a hash map; the program drops TCP and UDP packets to
 * them (IPv4 with or without options, IPv6, behind a VLAN tag) and counts the drops per port.
 */
import { createTypedMap, struct, u16, u32, u64 } from '@ebpf/maps';
import { XdpAction } from '@ebpf/vm';
import { describe, expect, test } from 'vitest';
import {
  ENGINES,
  hex,
  instantiateExample,
  perEngine,
  snapshotMaps,
} from './support/both-engines.js';
import { arpRequest, buildFrame } from './support/frames.js';

const BLOCKED = [22, 53, 8443];

interface Case {
  readonly name: string;
  readonly frame: Uint8Array;
  readonly verdict: number;
  /** The blocked port the drop is counted under. */
  readonly port?: number;
}

const tcp22 = buildFrame({ l4: { protocol: 'tcp', dport: 22 } });
const CASES: readonly Case[] = [
  { name: 'TCP to 22', frame: tcp22, verdict: XdpAction.DROP, port: 22 },
  {
    name: 'TCP to 80',
    frame: buildFrame({ l4: { protocol: 'tcp', dport: 80 } }),
    verdict: XdpAction.PASS,
  },
  {
    name: 'UDP to 53',
    frame: buildFrame({ l4: { protocol: 'udp', dport: 53, payload: new Uint8Array(30) } }),
    verdict: XdpAction.DROP,
    port: 53,
  },
  {
    name: 'UDP to 5353',
    frame: buildFrame({ l4: { protocol: 'udp', dport: 5353 } }),
    verdict: XdpAction.PASS,
  },
  {
    name: 'TCP to 22 in VLAN 100',
    frame: buildFrame({ vlan: 100, l4: { protocol: 'tcp', dport: 22 } }),
    verdict: XdpAction.DROP,
    port: 22,
  },
  {
    name: 'TCP to 22 over IPv6',
    frame: buildFrame({ ipv6: true, l4: { protocol: 'tcp', dport: 22 } }),
    verdict: XdpAction.DROP,
    port: 22,
  },
  {
    name: 'UDP to 53 over IPv6 in VLAN 7',
    frame: buildFrame({ ipv6: true, vlan: 7, l4: { protocol: 'udp', dport: 53 } }),
    verdict: XdpAction.DROP,
    port: 53,
  },
  {
    name: 'TCP to 8443 with IPv4 options',
    frame: buildFrame({
      ip: { options: Uint8Array.of(0x94, 4, 0, 0, 1, 1, 1, 0) },
      l4: { protocol: 'tcp', dport: 8443 },
    }),
    verdict: XdpAction.DROP,
    port: 8443,
  },
  {
    name: 'a later fragment (no ports) of TCP to 22',
    frame: buildFrame({ ip: { fragmentOffset: 185 }, l4: { protocol: 'tcp', dport: 22 } }),
    verdict: XdpAction.PASS,
  },
  {
    name: 'TCP to 22 cut inside its TCP header',
    frame: tcp22.slice(0, 14 + 20 + 10),
    verdict: XdpAction.PASS,
  },
  {
    name: 'a frame shorter than an Ethernet header',
    frame: tcp22.slice(0, 10),
    verdict: XdpAction.PASS,
  },
  {
    name: 'ICMP echo request',
    frame: buildFrame({ l4: { protocol: 'icmp' } }),
    verdict: XdpAction.PASS,
  },
  { name: 'ARP request', frame: arpRequest(), verdict: XdpAction.PASS },
];

const hits = struct({ packets: u64, bytes: u64 });

const report = perEngine((engine) => {
  const instance = instantiateExample('xdpFirewall', engine);
  const blocked = createTypedMap(instance.map('blocked_ports'), { key: u16, value: hits });
  for (const port of BLOCKED) blocked.set(port, { packets: 0n, bytes: 0n });
  const firewall = instance.program('xdp_firewall');

  const verdicts: bigint[] = [];
  const packets: string[] = [];
  const insnCounts: number[] = [];
  for (const c of CASES) {
    const result = firewall.run({ mem: c.frame.slice() });
    verdicts.push(result.r0);
    insnCounts.push(result.insnCount);
    packets.push(hex(result.packet ?? new Uint8Array(0)));
  }
  const hitsAfter = Object.fromEntries(blocked.entries().map(([port, v]) => [port, v]));
  const counts = createTypedMap(instance.map('verdicts'), { key: u32, value: u64 });
  const verdictCounts = counts.entries().map(([, n]) => n);
  const maps = snapshotMaps(instance);

  // Unblocking a port lets its packets through.
  blocked.delete(53);
  const afterUnblock = firewall.run({ mem: CASES[2].frame.slice() }).r0;
  return { verdicts, insnCounts, packets, hitsAfter, verdictCounts, maps, afterUnblock };
});

describe.each(ENGINES)('xdp-firewall on %s', (engine) => {
  test.each(CASES.map((c, i) => [c.name, i] as const))('verdict for %s', (_name, i) => {
    expect(report(engine).verdicts[i]).toBe(BigInt(CASES[i].verdict));
  });

  test('counts each blocked port’s dropped packets and bytes', () => {
    const expected: Record<number, { packets: bigint; bytes: bigint }> = {};
    for (const port of BLOCKED) expected[port] = { packets: 0n, bytes: 0n };
    for (const c of CASES) {
      if (c.port === undefined) continue;
      expected[c.port].packets += 1n;
      expected[c.port].bytes += BigInt(c.frame.length);
    }
    expect(report(engine).hitsAfter).toEqual(expected);
  });

  test('counts the verdicts it gave in the verdicts array', () => {
    const expected = [0n, 0n, 0n, 0n, 0n];
    for (const c of CASES) expected[c.verdict] += 1n;
    expect(report(engine).verdictCounts).toEqual(expected);
  });

  test('leaves every packet as it was', () => {
    expect(report(engine).packets).toEqual(CASES.map((c) => hex(c.frame)));
  });

  test('passes a port the host unblocked', () => {
    expect(report(engine).afterUnblock).toBe(BigInt(XdpAction.PASS));
  });
});

test('xdp-firewall: both engines give the same verdicts, packets and map contents', () => {
  expect(report('jit')).toEqual(report('interp'));
});
