import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.js';
import { DEMO_BLOCKED_PORTS } from '../src/commands/demo.js';
import {
  DEMO_CAPTURE,
  DEMO_CAPTURE_PATH,
  FIREWALL_OBJECT,
  FIREWALL_OBJECT_PATH,
} from '../src/demo/demo-assets.js';
import { describePacket } from '../src/demo/describe-packet.js';
import { ExitCode } from '../src/io.js';
import { buildFrame } from '../src/pcap/index.js';
import { fakeIo } from './fake-io.js';

async function demo(args: string[] = []) {
  const io = fakeIo();
  const code = await runCli(['demo', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

const ROOT = new URL('../../../', import.meta.url);

describe('ebpf demo', () => {
  it('embeds the committed firewall object and capture byte for byte (re-run scripts/embed-demo-assets.mjs if not)', () => {
    expect(FIREWALL_OBJECT).toEqual(
      new Uint8Array(readFileSync(new URL(FIREWALL_OBJECT_PATH, ROOT))),
    );
    expect(DEMO_CAPTURE).toEqual(new Uint8Array(readFileSync(new URL(DEMO_CAPTURE_PATH, ROOT))));
  });

  for (const engine of ['interp', 'jit'] as const) {
    it(`replays the capture through the firewall on ${engine}: six drops, each with its port`, async () => {
      const { code, out, err } = await demo(['--engine', engine]);
      expect(code).toBe(ExitCode.OK);
      expect(err).toBe('');
      const lines = out.trimEnd().split('\n');
      expect(lines.length).toBeLessThanOrEqual(40);
      expect(lines[1]).toBe('Blocked from the host in map blocked_ports: ports 23, 8080');
      const drops = lines.filter((l) => /^ *#\d+ .* DROP/.test(l));
      expect(drops.map((l) => l.trim().split(' ')[0])).toEqual([
        '#5',
        '#6',
        '#12',
        '#16',
        '#18',
        '#19',
      ]);
      expect(drops[0]).toMatch(
        /^ {2}#5 TCP 10\.0\.0\.1:40001 -> 10\.0\.0\.2:23 SYN +DROP \(port 23 blocked\)$/,
      );
      expect(drops[2]).toContain('TCP [2001:db8::1]:40005 -> [2001:db8::2]:23 SYN');
      expect(drops[3]).toContain('VLAN 100 TCP 10.0.0.1:40007 -> 10.0.0.2:23 SYN');
      expect(lines.filter((l) => /^ *#\d+ .* PASS$/.test(l))).toHaveLength(14);
      expect(out).toMatch(/^ {2}XDP_DROP {3}6 {3}30\.0%$/m);
      expect(out).toContain('  blocked_ports[23] = { packets: 4, bytes: 254 }\n');
      expect(out).toContain('  blocked_ports[8080] = { packets: 2, bytes: 157 }\n');
      expect(out).toContain('  verdicts: DROP 6, PASS 14\n');
    });
  }

  it('--json gives the same verdicts, reasons and map contents', async () => {
    const obj = JSON.parse((await demo(['--json', '--engine', 'jit'])).out);
    expect(obj).toMatchObject({ engine: 'jit', blockedPorts: [...DEMO_BLOCKED_PORTS] });
    expect(obj.packets[5]).toEqual({
      index: 5,
      packet: 'TCP 10.0.0.1:40001 -> 10.0.0.2:23 SYN',
      verdict: 'DROP',
      why: 'port 23 blocked',
    });
    expect(obj.summary.verdicts).toMatchObject({ DROP: 6, PASS: 14 });
    expect(obj.maps.verdicts).toEqual([
      { verdict: 1, count: 6 },
      { verdict: 2, count: 14 },
    ]);
    expect((await demo(['--engine', 'ubpf'])).code).toBe(ExitCode.USAGE);
  });

  it('describes frames from their headers, and never reads past a short one', () => {
    const frame = buildFrame({
      vlans: [7],
      network: {
        kind: 'ipv4',
        src: '192.168.1.2',
        dst: '192.168.1.3',
        transport: { kind: 'udp', srcPort: 1234, dstPort: 53 },
      },
    });
    expect(describePacket(frame)).toEqual({
      text: 'VLAN 7 UDP 192.168.1.2:1234 -> 192.168.1.3:53',
      destinationPort: 53,
    });
    for (let n = 0; n < frame.length; n++) {
      expect(typeof describePacket(frame.subarray(0, n)).text).toBe('string');
    }
  });
});
