/**
 * calls-and-globals: BPF-to-BPF calls (two levels deep) working on global data. The program
 * checks IPv4 header checksums, hashes flows into `.bss`, and spends a token budget from `.data`
 * on packets to the port configured in `.rodata`. The test reads the data regions after every
 * packet and recomputes the flow hash independently.
 */
import { XdpAction } from '@ebpf/vm';
import { describe, expect, test } from 'vitest';
import {
  ENGINES,
  type Engine,
  hex,
  instantiateExample,
  perEngine,
} from './support/both-engines.js';
import { arpRequest, buildFrame } from './support/frames.js';

/** The C initialisers: `.rodata` service_port and hash_seed, `.data` service_tokens. */
const SERVICE_PORT = 8080;
const HASH_SEED = 0x5eed1234;
const TOKENS = 3;

const rotateLeft = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;
const mixWord = (h: number, word: number, multiplier: number, rotation: number) =>
  rotateLeft(Math.imul((h ^ word) >>> 0, multiplier) >>> 0, rotation);

/** The flow hash of the C source, over the frame's bytes as the program loads them. */
function flowHash(frame: Uint8Array, seed: number): number {
  const v = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  // __be32 addresses and the two ports, loaded as little-endian 32-bit words.
  let h = seed;
  h = mixWord(h, v.getUint32(26, true), 0x85ebca6b, 13);
  h = mixWord(h, v.getUint32(30, true), 0xc2b2ae35, 17);
  h = mixWord(h, v.getUint32(34, true), 0x27d4eb2f, 11);
  h = (h ^ (h >>> 15)) >>> 0;
  return (h ^ frame[23]) >>> 0;
}

interface Case {
  readonly name: string;
  readonly frame: Uint8Array;
  readonly verdict: number;
  /** Whether the program hashes this flow (a TCP/UDP packet with a right header checksum). */
  readonly hashed: boolean;
}

const tcpTo = (dport: number, sport = 40000) =>
  buildFrame({ l4: { protocol: 'tcp', sport, dport } });
const CASES: readonly Case[] = [
  {
    name: 'TCP to the service (token 1)',
    frame: tcpTo(SERVICE_PORT),
    verdict: XdpAction.PASS,
    hashed: true,
  },
  {
    name: 'UDP to the service (token 2)',
    frame: buildFrame({
      ip: { src: '192.0.2.1' },
      l4: { protocol: 'udp', sport: 5000, dport: SERVICE_PORT },
    }),
    verdict: XdpAction.PASS,
    hashed: true,
  },
  { name: 'TCP to port 80', frame: tcpTo(80, 33333), verdict: XdpAction.PASS, hashed: true },
  {
    name: 'a bad IPv4 header checksum',
    frame: buildFrame({ ip: { badChecksum: true }, l4: { protocol: 'tcp', dport: SERVICE_PORT } }),
    verdict: XdpAction.DROP,
    hashed: false,
  },
  {
    name: 'TCP to the service (token 3)',
    frame: tcpTo(SERVICE_PORT, 40001),
    verdict: XdpAction.PASS,
    hashed: true,
  },
  {
    name: 'TCP to the service, no token left',
    frame: tcpTo(SERVICE_PORT, 40002),
    verdict: XdpAction.DROP,
    hashed: true,
  },
  {
    name: 'ICMP',
    frame: buildFrame({ ip: { dst: '10.9.9.9' }, l4: { protocol: 'icmp' } }),
    verdict: XdpAction.PASS,
    hashed: false,
  },
  { name: 'ARP', frame: arpRequest(), verdict: XdpAction.PASS, hashed: false },
  {
    name: 'IPv4 with options (not inspected)',
    frame: buildFrame({
      ip: { options: Uint8Array.of(1, 1, 1, 0) },
      l4: { protocol: 'tcp', dport: SERVICE_PORT },
    }),
    verdict: XdpAction.PASS,
    hashed: false,
  },
];

interface Globals {
  packets: bigint;
  badChecksum: bigint;
  toService: bigint;
  rateLimited: bigint;
  lastFlowHash: number;
  serviceTokens: number;
}

/** Runs `frames` on a fresh instance, optionally reconfiguring `.rodata` first. */
function runScenario(
  engine: Engine,
  frames: readonly Uint8Array[],
  config?: { port: number; seed: number },
) {
  const instance = instantiateExample('callsAndGlobals', engine);
  const rodata = instance.dataSection('.rodata');
  const data = instance.dataSection('.data');
  const bss = instance.dataSection('.bss');
  const view = (bytes: Uint8Array) =>
    new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (config) {
    // What a loader does to `const volatile` configuration before the program runs.
    view(rodata.bytes()).setUint16(0, config.port, true);
    view(rodata.bytes()).setUint32(4, config.seed, true);
  }
  const readGlobals = (): Globals => {
    const b = view(bss.bytes());
    return {
      packets: b.getBigUint64(0, true),
      badChecksum: b.getBigUint64(8, true),
      toService: b.getBigUint64(16, true),
      rateLimited: b.getBigUint64(24, true),
      lastFlowHash: b.getUint32(32, true),
      serviceTokens: view(data.bytes()).getUint32(0, true),
    };
  };
  const program = instance.program('xdp_calls_globals');
  const steps = frames.map((frame) => {
    const result = program.run({ mem: frame.slice() });
    return {
      r0: result.r0,
      insnCount: result.insnCount,
      packet: hex(result.packet ?? new Uint8Array(0)),
      globals: readGlobals(),
    };
  });
  return { steps, rodata: hex(rodata.bytes()) };
}

const report = perEngine((engine) => ({
  main: runScenario(
    engine,
    CASES.map((c) => c.frame),
  ),
  reconfigured: runScenario(engine, [tcpTo(9999), tcpTo(9999, 1), tcpTo(9999, 2), tcpTo(9999, 3)], {
    port: 9999,
    seed: 1,
  }),
}));

/** The globals after each case, from the C source's rules. */
function expectedGlobals(): Globals[] {
  const g: Globals = {
    packets: 0n,
    badChecksum: 0n,
    toService: 0n,
    rateLimited: 0n,
    lastFlowHash: 0,
    serviceTokens: TOKENS,
  };
  return CASES.map((c) => {
    g.packets += 1n;
    if (c.name.startsWith('a bad')) g.badChecksum += 1n;
    if (c.hashed) {
      g.lastFlowHash = flowHash(c.frame, HASH_SEED);
      const dport = (c.frame[36] << 8) | c.frame[37];
      if (dport === SERVICE_PORT) {
        g.toService += 1n;
        if (g.serviceTokens > 0) g.serviceTokens -= 1;
        else g.rateLimited += 1n;
      }
    }
    return { ...g };
  });
}

describe.each(ENGINES)('calls-and-globals on %s', (engine) => {
  const expected = expectedGlobals();
  test.each(CASES.map((c, i) => [c.name, i] as const))('%s: verdict and globals', (_name, i) => {
    const step = report(engine).main.steps[i];
    expect(step.r0).toBe(BigInt(CASES[i].verdict));
    expect(step.globals).toEqual(expected[i]);
    expect(step.packet).toBe(hex(CASES[i].frame));
  });

  test('the flow hash is stored for every hashed packet (and differs between flows)', () => {
    const hashes = report(engine)
      .main.steps.filter((_, i) => CASES[i].hashed)
      .map((s) => s.globals.lastFlowHash);
    expect(new Set(hashes).size).toBe(hashes.length);
  });

  test('the host’s .rodata configuration changes the service port and the hash seed', () => {
    const { steps, rodata } = report(engine).reconfigured;
    expect(steps.map((s) => s.r0)).toEqual(
      [XdpAction.PASS, XdpAction.PASS, XdpAction.PASS, XdpAction.DROP].map(BigInt),
    );
    expect(steps[3].globals.lastFlowHash).toBe(flowHash(tcpTo(9999, 3), 1));
    expect(steps[3].globals).toMatchObject({ toService: 4n, rateLimited: 1n, serviceTokens: 0 });
    expect(rodata).toBe('0f27000001000000'); // the program cannot write .rodata: still 9999, 1
  });
});

test('calls-and-globals: both engines leave the same verdicts and global data', () => {
  expect(report('jit')).toEqual(report('interp'));
});
