/**
 * tc-rewrite: the program decrements IPv4 TTLs (dropping expiring packets) and translates
 * frontends listed in `nat_rules` to their backends, patching checksums incrementally with
 * bpf_l3_csum_replace / bpf_l4_csum_replace. The tests compare every rewritten frame with the
 * frame built from scratch with the new header values (checksums computed here), and recompute
 * the checksums of what the program left.
 */
import { bytes, createTypedMap, struct, u8, u16, u64 } from '@ebpf/maps';
import { TcAction } from '@ebpf/vm';
import { describe, expect, test } from 'vitest';
import {
  ENGINES,
  hex,
  instantiateExample,
  perEngine,
  snapshotMaps,
} from './support/both-engines.js';
import { checkIpv4Frame } from './support/checksum.js';
import { arpRequest, buildFrame, type FrameSpec, ipv4Bytes, TcpFlags } from './support/frames.js';

const be16 = (v: number) => Uint8Array.of(v >> 8, v & 0xff);
const frontend = struct({ addr: bytes(4), port: bytes(2), proto: u8, pad: u8 });
const backend = struct({ addr: bytes(4), port: bytes(2), pad: u16, packets: u64 });

/** The NAT rules the host installs: frontend → backend. */
const RULES = [
  { proto: 6, vip: '10.0.0.1', port: 80, to: '192.168.1.10', toPort: 8080 },
  { proto: 17, vip: '10.0.0.1', port: 53, to: '192.168.1.53', toPort: 5353 },
] as const;

interface Case {
  readonly name: string;
  readonly spec?: FrameSpec;
  readonly frame?: Uint8Array;
  readonly verdict: number;
  /** The frame the program should leave: `spec` with these changes (undefined: unchanged). */
  readonly expect?: (spec: FrameSpec) => FrameSpec;
  /** The rule (index in RULES) the packet hits. */
  readonly rule?: number;
}

/** A spec with TTL decremented and, when given, the destination translated. */
const forwarded =
  (to?: { addr: string; port: number }) =>
  (spec: FrameSpec): FrameSpec => ({
    ...spec,
    ip: { ...spec.ip, ttl: (spec.ip?.ttl ?? 64) - 1, ...(to ? { dst: to.addr } : {}) },
    l4: { ...spec.l4, ...(to ? { dport: to.port } : {}) },
  });
const toRule = (i: number) => forwarded({ addr: RULES[i].to, port: RULES[i].toPort });

const payload = Uint8Array.from({ length: 37 }, (_, i) => (i * 7 + 3) & 0xff);
const CASES: readonly Case[] = [
  {
    name: 'TCP to the HTTP frontend',
    spec: {
      ip: { dst: '10.0.0.1' },
      l4: { protocol: 'tcp', dport: 80, flags: TcpFlags.SYN, payload },
    },
    verdict: TcAction.OK,
    expect: toRule(0),
    rule: 0,
  },
  {
    name: 'UDP to the DNS frontend',
    spec: { ip: { dst: '10.0.0.1', ttl: 17 }, l4: { protocol: 'udp', dport: 53, payload } },
    verdict: TcAction.OK,
    expect: toRule(1),
    rule: 1,
  },
  {
    name: 'UDP without a checksum to the DNS frontend',
    spec: {
      ip: { dst: '10.0.0.1' },
      l4: { protocol: 'udp', dport: 53, noChecksum: true, payload },
    },
    verdict: TcAction.OK,
    expect: toRule(1),
    rule: 1,
  },
  {
    name: 'TCP with IPv4 options to the HTTP frontend',
    spec: {
      ip: { dst: '10.0.0.1', options: Uint8Array.of(1, 1, 1, 0) },
      l4: { protocol: 'tcp', dport: 80, payload },
    },
    verdict: TcAction.OK,
    expect: toRule(0),
    rule: 0,
  },
  {
    name: 'TCP to a port without a rule',
    spec: { ip: { dst: '10.0.0.1' }, l4: { protocol: 'tcp', dport: 443, payload } },
    verdict: TcAction.OK,
    expect: forwarded(),
  },
  {
    name: 'UDP to the HTTP port (the rule is for TCP)',
    spec: { ip: { dst: '10.0.0.1' }, l4: { protocol: 'udp', dport: 80 } },
    verdict: TcAction.OK,
    expect: forwarded(),
  },
  {
    name: 'TCP to port 80 of another address',
    spec: { ip: { dst: '10.0.0.9' }, l4: { protocol: 'tcp', dport: 80 } },
    verdict: TcAction.OK,
    expect: forwarded(),
  },
  {
    name: 'a later fragment to the HTTP frontend',
    spec: { ip: { dst: '10.0.0.1', fragmentOffset: 100 }, l4: { protocol: 'tcp', dport: 80 } },
    verdict: TcAction.OK,
    expect: forwarded(),
  },
  {
    name: 'ICMP',
    spec: { ip: { dst: '10.0.0.1', ttl: 2 }, l4: { protocol: 'icmp' } },
    verdict: TcAction.OK,
    expect: forwarded(),
  },
  {
    name: 'TTL 1 (expires here)',
    spec: { ip: { dst: '10.0.0.1', ttl: 1 }, l4: { protocol: 'tcp', dport: 80 } },
    verdict: TcAction.SHOT,
  },
  {
    name: 'TTL 0',
    spec: { ip: { dst: '10.0.0.1', ttl: 0 }, l4: { protocol: 'udp', dport: 53 } },
    verdict: TcAction.SHOT,
  },
  {
    name: 'IPv6 (not translated)',
    spec: { ipv6: true, l4: { protocol: 'tcp', dport: 80 } },
    verdict: TcAction.OK,
  },
  { name: 'ARP', frame: arpRequest(), verdict: TcAction.OK },
];

const frameOf = (c: Case) => c.frame ?? buildFrame(c.spec as FrameSpec);
const expectedFrame = (c: Case) => (c.expect && c.spec ? buildFrame(c.expect(c.spec)) : frameOf(c));

const report = perEngine((engine) => {
  const instance = instantiateExample('tcRewrite', engine);
  const rules = createTypedMap(instance.map('nat_rules'), { key: frontend, value: backend });
  for (const r of RULES) {
    rules.set(
      { addr: ipv4Bytes(r.vip), port: be16(r.port), proto: r.proto, pad: 0 },
      { addr: ipv4Bytes(r.to), port: be16(r.toPort), pad: 0, packets: 0n },
    );
  }
  const program = instance.program('tc_rewrite');
  const verdicts: bigint[] = [];
  const packets: Uint8Array[] = [];
  const insnCounts: number[] = [];
  for (const c of CASES) {
    const mem = frameOf(c).slice();
    const result = program.run({ mem });
    verdicts.push(result.r0);
    insnCounts.push(result.insnCount);
    packets.push(result.packet ?? mem);
  }
  const ruleHits = RULES.map(
    (r) =>
      rules.get({ addr: ipv4Bytes(r.vip), port: be16(r.port), proto: r.proto, pad: 0 })?.packets,
  );
  return {
    verdicts,
    insnCounts,
    packets: packets.map(hex),
    checks: packets.map(checkIpv4OrSkip),
    ruleHits,
    maps: snapshotMaps(instance),
  };
});

function checkIpv4OrSkip(frame: Uint8Array) {
  return frame.length >= 34 && frame[12] === 0x08 && frame[13] === 0x00
    ? checkIpv4Frame(frame)
    : undefined;
}

describe.each(ENGINES)('tc-rewrite on %s', (engine) => {
  test.each(CASES.map((c, i) => [c.name, i] as const))('%s', (_name, i) => {
    const c = CASES[i];
    const r = report(engine);
    expect(r.verdicts[i]).toBe(BigInt(c.verdict));
    // The whole frame, byte for byte: addresses, port, TTL and both checksums.
    expect(r.packets[i]).toBe(hex(expectedFrame(c)));
    const check = r.checks[i];
    if (check && c.verdict === TcAction.OK && !c.spec?.ip?.fragmentOffset) {
      expect(check.ipHeaderOk).toBe(true);
      expect(check.transportOk).toBe(true);
    }
  });

  test('a UDP checksum of 0 (none) stays 0 after translation', () => {
    const i = CASES.findIndex((c) => c.spec?.l4.noChecksum);
    expect(report(engine).checks[i]?.transportChecksum).toBe(0);
  });

  test('counts the packets each rule translated', () => {
    const expected = RULES.map((_, r) => BigInt(CASES.filter((c) => c.rule === r).length));
    expect(report(engine).ruleHits).toEqual(expected);
  });
});

test('tc-rewrite: both engines leave the same packets, verdicts and rule counts', () => {
  expect(report('jit')).toEqual(report('interp'));
});
