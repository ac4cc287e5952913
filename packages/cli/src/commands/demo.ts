import { loadBpfObject } from '@ebpf/elf';
import { createTypedMap, struct, u16, u32, u64 } from '@ebpf/maps';
import type { Command } from '../command.js';
import {
  DEMO_CAPTURE,
  DEMO_CAPTURE_PATH,
  FIREWALL_OBJECT,
  FIREWALL_OBJECT_PATH,
} from '../demo/demo-assets.js';
import { describePacket } from '../demo/describe-packet.js';
import { ExitCode } from '../io.js';
import {
  formatReplaySummary,
  nameXdpVerdict,
  readCapture,
  replayResultToJson,
} from '../pcap/index.js';
import { UsageError } from '../usage-error.js';
import { instantiateForRun, replayCapture } from './run-elf.js';
import { ENGINES, type EngineName } from './run-engine.js';

/** The ports the demo blocks from the host before the replay. */
export const DEMO_BLOCKED_PORTS = [23, 8080] as const;

const USAGE = `ebpf demo [--engine interp|jit] [--json]

Replays a built-in capture of 20 packets (${DEMO_CAPTURE_PATH}) through a built-in XDP
firewall (${FIREWALL_OBJECT_PATH}, compiled by clang) after blocking ports
${DEMO_BLOCKED_PORTS.join(' and ')} in its map blocked_ports from the host, and shows each packet's
verdict and why, the verdict summary and the maps.

  --engine interp|jit  the interpreter (default) or the WebAssembly JIT
  --json               the same as one JSON object`;

const portHits = struct({ packets: u64, bytes: u64 });

/**
 * `ebpf demo`: the firewall example end to end: ELF loading, maps set from the host, a capture
 * replayed on the chosen engine, per-packet verdicts with their reason, the summary and the maps.
 */
export const demoCommand: Command = {
  name: 'demo',
  summary: 'Replay a built-in capture through a built-in XDP firewall',
  usage: USAGE,
  options: { engine: { type: 'string' } },
  async run(args, io) {
    const engine = (args.values.engine ?? 'interp') as EngineName;
    if (!(ENGINES as readonly string[]).includes(engine)) {
      throw new UsageError(`--engine must be one of ${ENGINES.join(', ')}, got '${engine}'`);
    }
    const object = loadBpfObject(FIREWALL_OBJECT, { name: 'xdp_firewall' });
    const instance = instantiateForRun(object, { engine });
    const blocked = createTypedMap(instance.map('blocked_ports'), { key: u16, value: portHits });
    for (const port of DEMO_BLOCKED_PORTS) blocked.set(port, { packets: 0n, bytes: 0n });
    const program = instance.program('xdp_firewall');
    const capture = readCapture(DEMO_CAPTURE);
    const result = replayCapture(program, capture, { keepResults: true });

    const lines = result.results.map((r) => {
      const about = describePacket(capture.packets[r.index]!.data);
      const port = about.destinationPort;
      const why =
        r.verdictName === 'DROP' && port !== undefined && blocked.get(port) !== undefined
          ? ` (port ${port} blocked)`
          : '';
      return { index: r.index, packet: about.text, verdict: r.verdictName, why };
    });
    const hits = DEMO_BLOCKED_PORTS.map((port) => ({ port, ...blocked.get(port)! }));
    const verdictMap = createTypedMap(instance.map('verdicts'), { key: u32, value: u64 });
    const counted = verdictMap
      .entries()
      .filter(([, n]) => n > 0n)
      .map(([verdict, n]) => ({ verdict, count: n }));

    if (args.values.json) {
      const replayJson = replayResultToJson(result);
      io.stdout.write(
        `${JSON.stringify({
          engine,
          object: FIREWALL_OBJECT_PATH,
          capture: DEMO_CAPTURE_PATH,
          blockedPorts: DEMO_BLOCKED_PORTS,
          packets: lines.map((l) => ({
            ...l,
            why: l.why.replace(/^ \((.*)\)$/, '$1') || undefined,
          })),
          summary: replayJson.summary,
          maps: {
            blocked_ports: hits.map((h) => ({
              port: h.port,
              packets: Number(h.packets),
              bytes: Number(h.bytes),
            })),
            verdicts: counted.map((c) => ({ verdict: c.verdict, count: Number(c.count) })),
          },
        })}\n`,
      );
      return ExitCode.OK;
    }
    const width = Math.max(...lines.map((l) => l.packet.length));
    const out = [
      `XDP firewall (${FIREWALL_OBJECT_PATH}) on the ${engine === 'jit' ? 'JIT (WebAssembly)' : 'interpreter'}`,
      `Blocked from the host in map blocked_ports: ports ${DEMO_BLOCKED_PORTS.join(', ')}`,
      `Replaying ${capture.packets.length} packets of ${DEMO_CAPTURE_PATH}:`,
      '',
      ...lines.map(
        (l) => `${`#${l.index}`.padStart(4)} ${l.packet.padEnd(width)}  ${l.verdict}${l.why}`,
      ),
      '',
      formatReplaySummary(result.summary).trimEnd(),
      '',
      'Maps after the replay:',
      ...hits.map(
        (h) => `  blocked_ports[${h.port}] = { packets: ${h.packets}, bytes: ${h.bytes} }`,
      ),
      `  verdicts: ${counted.map((c) => `${nameXdpVerdict(BigInt(c.verdict))} ${c.count}`).join(', ')}`,
    ];
    io.stdout.write(`${out.join('\n')}\n`);
    return ExitCode.OK;
  },
};
