/**
 * Replaying a capture through a program: the VM-independent core of `ebpf run --pcap`. The
 * caller supplies `runPacket` (load the frame, run the program, return r0); this module counts
 * verdicts, keeps per-packet results and times the run.
 */
import { isEbpfError } from '@ebpf/isa';
import type { Capture, CapturedPacket } from './capture-types.js';

/** XDP program return values (`enum xdp_action`). */
export const XdpVerdict = Object.freeze({
  ABORTED: 0,
  DROP: 1,
  PASS: 2,
  TX: 3,
  REDIRECT: 4,
} as const);

const XDP_NAMES = Object.keys(XdpVerdict) as readonly (keyof typeof XdpVerdict)[];

/** How r0 is read: an XDP action, or a socket filter's count of bytes to keep (0 drops). */
export type ReplayMode = 'xdp' | 'socket-filter';

/** The socket-filter verdict names: all bytes kept, some kept, none kept. */
export const SOCKET_FILTER_VERDICTS = ['KEEP', 'TRUNCATE', 'DROP'] as const;

/** The name a packet gets when `runPacket` threw an EbpfError (a fault, an exhausted budget). */
export const ERROR_VERDICT = 'ERROR';

/** What `runPacket` returns for one packet. */
export interface PacketOutcome {
  /** r0. */
  readonly verdict: number | bigint;
  /** Instructions executed, when the engine counts them. */
  readonly instructions?: number;
}

/** One packet's result. */
export interface PacketResult {
  readonly index: number;
  /** Bytes the program saw (the captured length). */
  readonly length: number;
  /** r0 as an unsigned 64-bit value; undefined when the run failed. */
  readonly verdict: bigint | undefined;
  /** `PASS`, `DROP`, ... (XDP), `KEEP`/`TRUNCATE`/`DROP` (socket filter), `INVALID(n)` or `ERROR`. */
  readonly verdictName: string;
  /** Socket filter: the bytes kept. */
  readonly keptBytes?: number;
  readonly instructions?: number;
  /** The failure, when `runPacket` threw an EbpfError. */
  readonly error?: { readonly code: number; readonly codeName: string; readonly message: string };
}

/** Totals of a replay. */
export interface ReplaySummary {
  readonly mode: ReplayMode;
  readonly packets: number;
  /** Sum of captured lengths. */
  readonly bytes: number;
  /** Packets per verdict name, in a stable order (known names first, then others as seen). */
  readonly verdicts: ReadonlyMap<string, number>;
  /** Packets whose run threw an EbpfError. */
  readonly errors: number;
  /** Socket filter: bytes kept over all packets. */
  readonly keptBytes?: number;
  /** Sum of `instructions` over packets that reported it. */
  readonly instructions?: number;
  /** Wall time of the whole loop, including `runPacket`'s own set-up work. */
  readonly elapsedNs: number;
  /** Packets per second; undefined when the clock did not move. */
  readonly packetsPerSecond: number | undefined;
}

/** What `replay` returns. */
export interface ReplayResult {
  readonly summary: ReplaySummary;
  /** Per-packet results (empty with `keepResults: false`). */
  readonly results: readonly PacketResult[];
}

/** Options of `replay`. */
export interface ReplayOptions {
  /** Default 'xdp'. */
  readonly mode?: ReplayMode;
  /** Called every `progressEvery` packets and once at the end, with the total when known. */
  readonly onProgress?: (done: number, total: number | undefined) => void;
  /** Default 256. */
  readonly progressEvery?: number;
  /** Milliseconds from some fixed point; default `performance.now`. */
  readonly now?: () => number;
  /** Keep per-packet results (default true); turn off for huge captures. */
  readonly keepResults?: boolean;
}

/** The name of an XDP action, or `INVALID(n)` for values the kernel does not define. */
export function nameXdpVerdict(verdict: bigint): string {
  return verdict < BigInt(XDP_NAMES.length) ? XDP_NAMES[Number(verdict)]! : `INVALID(${verdict})`;
}

/**
 * A socket filter's verdict: the kernel reads r0 as an unsigned 32-bit count of bytes to keep.
 *
 * @example
 * classifySocketFilter(0xffffn, 60); // { verdictName: 'KEEP', keptBytes: 60 }
 */
export function classifySocketFilter(
  verdict: bigint,
  length: number,
): { verdictName: (typeof SOCKET_FILTER_VERDICTS)[number]; keptBytes: number } {
  const keep = Number(verdict & 0xffff_ffffn);
  if (keep === 0) return { verdictName: 'DROP', keptBytes: 0 };
  if (keep >= length) return { verdictName: 'KEEP', keptBytes: length };
  return { verdictName: 'TRUNCATE', keptBytes: keep };
}

function isCapture(input: Capture | Iterable<CapturedPacket>): input is Capture {
  return 'packets' in input && 'interfaces' in input;
}

/**
 * Runs every packet through `runPacket` and sums up the verdicts. A `runPacket` that throws an
 * EbpfError marks that packet `ERROR` and the replay goes on; any other exception propagates.
 *
 * @example
 * const { summary } = replay(readCapture(bytes), (p) => ({ verdict: vm.run(p.data).r0 }));
 * console.log(formatReplaySummary(summary));
 */
export function replay(
  input: Capture | Iterable<CapturedPacket>,
  runPacket: (packet: CapturedPacket) => PacketOutcome,
  options: ReplayOptions = {},
): ReplayResult {
  const mode = options.mode ?? 'xdp';
  const packets = isCapture(input) ? input.packets : input;
  const total = Array.isArray(packets) ? packets.length : undefined;
  const every = Math.max(1, Math.floor(options.progressEvery ?? 256));
  const now = options.now ?? (() => performance.now());
  const keep = options.keepResults ?? true;
  const names: readonly string[] = mode === 'xdp' ? XDP_NAMES : SOCKET_FILTER_VERDICTS;
  const verdicts = new Map<string, number>(names.map((name) => [name, 0]));
  const results: PacketResult[] = [];
  let count = 0;
  let bytes = 0;
  let errors = 0;
  let keptBytes = 0;
  let instructions: number | undefined;

  const start = now();
  for (const packet of packets) {
    const length = packet.data.length;
    let result: PacketResult;
    try {
      const outcome = runPacket(packet);
      const verdict = BigInt.asUintN(64, BigInt(outcome.verdict));
      if (outcome.instructions !== undefined) {
        instructions = (instructions ?? 0) + outcome.instructions;
      }
      const extra =
        outcome.instructions === undefined ? {} : { instructions: outcome.instructions };
      if (mode === 'xdp') {
        result = {
          index: packet.index,
          length,
          verdict,
          verdictName: nameXdpVerdict(verdict),
          ...extra,
        };
      } else {
        const classified = classifySocketFilter(verdict, length);
        keptBytes += classified.keptBytes;
        result = { index: packet.index, length, verdict, ...classified, ...extra };
      }
    } catch (error) {
      if (!isEbpfError(error)) throw error;
      errors++;
      result = {
        index: packet.index,
        length,
        verdict: undefined,
        verdictName: ERROR_VERDICT,
        error: { code: error.code, codeName: error.codeName, message: error.message },
      };
    }
    verdicts.set(result.verdictName, (verdicts.get(result.verdictName) ?? 0) + 1);
    if (keep) results.push(result);
    count++;
    bytes += length;
    if (count % every === 0) options.onProgress?.(count, total);
  }
  const elapsedMs = Math.max(0, now() - start);
  options.onProgress?.(count, total);

  const summary: ReplaySummary = {
    mode,
    packets: count,
    bytes,
    verdicts,
    errors,
    ...(mode === 'socket-filter' ? { keptBytes } : {}),
    ...(instructions === undefined ? {} : { instructions }),
    elapsedNs: Math.round(elapsedMs * 1e6),
    packetsPerSecond: elapsedMs > 0 ? count / (elapsedMs / 1000) : undefined,
  };
  return { summary, results };
}
