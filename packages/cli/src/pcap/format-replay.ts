/** Text and JSON forms of a replay's outcome, for `ebpf run --pcap`. */
import type { PacketResult, ReplayResult, ReplaySummary } from './replay.js';

const group = (n: number) => Math.round(n).toLocaleString('en-US');

/** `812 µs`, `1.25 ms`, `3.40 s`. */
function formatDuration(ns: number): string {
  if (ns < 1e3) return `${ns} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(0)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(2)} ms`;
  return `${(ns / 1e9).toFixed(2)} s`;
}

/**
 * The verdict summary as a few lines of text: a headline (packets, bytes, time, rate), then one
 * line per verdict seen (XDP verdicts get an `XDP_` prefix) with count and share.
 *
 * @example
 * formatReplaySummary(summary);
 * // 20 packets (1,460 bytes) in 1.25 ms, 16,000 packets/s
 * //   XDP_PASS       16   80.0%
 * //   XDP_DROP        4   20.0%
 */
export function formatReplaySummary(summary: ReplaySummary): string {
  const rate =
    summary.packetsPerSecond === undefined ? '' : `, ${group(summary.packetsPerSecond)} packets/s`;
  const lines = [
    `${group(summary.packets)} packet${summary.packets === 1 ? '' : 's'} (${group(summary.bytes)} bytes) in ${formatDuration(summary.elapsedNs)}${rate}`,
  ];
  const rows = [...summary.verdicts].filter(([, count]) => count > 0);
  const prefix = (name: string) =>
    summary.mode === 'xdp' && name !== 'ERROR' && !name.startsWith('INVALID')
      ? `XDP_${name}`
      : name;
  const nameWidth = Math.max(0, ...rows.map(([name]) => prefix(name).length));
  const countWidth = Math.max(0, ...rows.map(([, count]) => group(count).length));
  for (const [name, count] of rows) {
    const share = summary.packets === 0 ? 0 : (100 * count) / summary.packets;
    lines.push(
      `  ${prefix(name).padEnd(nameWidth)}  ${group(count).padStart(countWidth)}  ${share.toFixed(1).padStart(5)}%`,
    );
  }
  if (summary.keptBytes !== undefined) {
    lines.push(`  kept ${group(summary.keptBytes)} of ${group(summary.bytes)} bytes`);
  }
  if (summary.instructions !== undefined && summary.packets > 0) {
    lines.push(
      `  ${group(summary.instructions)} instructions (${(summary.instructions / summary.packets).toFixed(1)} per packet)`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** r0 as a JSON number when it is exact, else as a decimal string. */
function jsonVerdict(verdict: bigint | undefined): number | string | null {
  if (verdict === undefined) return null;
  return verdict <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(verdict) : verdict.toString();
}

/** One packet's result as a JSON-safe object. */
export function packetResultToJson(result: PacketResult): Record<string, unknown> {
  return { ...result, verdict: jsonVerdict(result.verdict) };
}

/**
 * A replay as a JSON-safe object (no bigints, no Map): `{ summary, packets }`.
 *
 * @example
 * io.stdout.write(`${JSON.stringify(replayResultToJson(result))}\n`);
 */
export function replayResultToJson(result: ReplayResult): Record<string, unknown> {
  const { summary } = result;
  return {
    summary: { ...summary, verdicts: Object.fromEntries(summary.verdicts) },
    packets: result.results.map(packetResultToJson),
  };
}
