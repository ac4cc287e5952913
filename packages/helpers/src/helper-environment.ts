/**
 * The host environment kernel helpers report: clock, random numbers, the "current task", the
 * CPU, where trace output goes, and the maps. Every option has a deterministic default, so that
 * runs repeat exactly and tests need no setup.
 */
import type { BpfMap, CpuState } from '@ebpf/maps';
import { HELPERS_BAD_OPTION, HelperError } from './helper-errors.js';
import { createSteppingClock, type HostClock } from './host-clock.js';
import type { RuntimeHooks } from './runtime-hooks.js';
import { createSeededRandom, type RandomSource } from './seeded-random.js';

/** What map helpers need of a map registry (a `MapSet` from `@ebpf/maps` has it all). */
export interface MapRegistry extends Iterable<BpfMap> {
  /** The map a program's handle (what `lddw` of a map reference loads) names. */
  fromHandle(handle: bigint): BpfMap | undefined;
  /** The simulated CPUs per-CPU maps use. */
  readonly cpus?: CpuState;
}

/** Options of `kernelHelpers` (every one optional). */
export interface KernelHelperOptions {
  /** The maps programs refer to (needed by map, ring buffer and tail-call helpers). */
  readonly maps?: MapRegistry;
  /** The clocks (default: a stepping clock starting at 1 s, 1 µs per read). */
  readonly clock?: HostClock;
  /** Kernel timer frequency for `bpf_jiffies64` and the coarse clock (default 250). */
  readonly hz?: number;
  /** `bpf_get_prandom_u32`'s source (default: seeded with `seed`). */
  readonly random?: RandomSource;
  /** Seed of the default random source (default 0). */
  readonly seed?: number;
  /** The current task's thread id (default 4242). */
  readonly pid?: number;
  /** The current task's process id (default: `pid`). */
  readonly tgid?: number;
  /** The current task's user id (default 0). */
  readonly uid?: number;
  /** The current task's group id (default 0). */
  readonly gid?: number;
  /** The current task's name, at most 15 bytes of UTF-8 (default `'ebpf'`). */
  readonly comm?: string;
  /** The current CPU (default: the maps' current CPU, else 0). */
  readonly cpu?: number | (() => number);
  /** The NUMA node (default 0). */
  readonly numaNode?: number;
  /** Where `bpf_trace_printk` lines go (default: nowhere). */
  readonly traceSink?: (line: string) => void;
  /**
   * How the simulated skb's checksum is offloaded, which decides what `bpf_l4_csum_replace`
   * does with `BPF_F_PSEUDO_HDR`: `'none'` (default; the checksum field holds the full
   * checksum) or `'partial'` (it holds the pseudo-header sum, as with `CHECKSUM_PARTIAL`).
   */
  readonly checksumOffload?: 'none' | 'partial';
  /** VM facilities, when the host wires them itself (else read from the helper context). */
  readonly hooks?: RuntimeHooks;
}

/** The resolved environment. */
export interface HelperEnvironment {
  readonly maps: MapRegistry | undefined;
  readonly clock: HostClock;
  readonly hz: number;
  readonly random: RandomSource;
  readonly pid: number;
  readonly tgid: number;
  readonly uid: number;
  readonly gid: number;
  /** The task name's bytes (at most 15). */
  readonly comm: Uint8Array;
  readonly cpu: () => number;
  readonly numaNode: number;
  readonly traceSink: (line: string) => void;
  readonly checksumOffload: 'none' | 'partial';
  readonly hooks: RuntimeHooks;
}

/** `TASK_COMM_LEN`: the task name with its NUL. */
export const TASK_COMM_LEN = 16;

function bad(option: string, problem: string): never {
  throw new HelperError(HELPERS_BAD_OPTION, { option, problem });
}

function u32Option(option: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < 0 || v > 0xffff_ffff) bad(option, `${v} is not a u32`);
  return v;
}

function encodeUtf8(s: string): Uint8Array {
  const out: number[] = [];
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    else {
      out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63));
      out.push(0x80 | (cp & 63));
    }
  }
  return Uint8Array.from(out);
}

/**
 * Checks `options` and fills in the defaults.
 *
 * @throws HelperError HELPERS_BAD_OPTION for a value out of range.
 */
export function resolveHelperEnvironment(options: KernelHelperOptions = {}): HelperEnvironment {
  const maps = options.maps;
  if (maps !== undefined && typeof maps.fromHandle !== 'function') {
    bad('maps', 'has no fromHandle (pass a MapSet)');
  }
  const hz = options.hz ?? 250;
  if (!Number.isInteger(hz) || hz < 1 || hz > 1_000_000) bad('hz', `${hz}`);
  const pid = u32Option('pid', options.pid, 4242);
  const comm = encodeUtf8(options.comm ?? 'ebpf');
  if (comm.length >= TASK_COMM_LEN || comm.includes(0)) {
    bad('comm', `must be at most ${TASK_COMM_LEN - 1} bytes without NUL`);
  }
  const cpuOption = options.cpu;
  let cpu: () => number;
  if (typeof cpuOption === 'function') cpu = () => u32Option('cpu', cpuOption(), 0);
  else if (cpuOption !== undefined) {
    const fixed = u32Option('cpu', cpuOption, 0);
    cpu = () => fixed;
  } else cpu = () => maps?.cpus?.current ?? 0;
  const offload = options.checksumOffload ?? 'none';
  if (offload !== 'none' && offload !== 'partial') bad('checksumOffload', String(offload));
  for (const [name, fn] of [
    ['random', options.random],
    ['traceSink', options.traceSink],
  ] as const) {
    if (fn !== undefined && typeof fn !== 'function') bad(name, 'not a function');
  }
  return Object.freeze({
    maps,
    clock: options.clock ?? createSteppingClock(),
    hz,
    random: options.random ?? createSeededRandom(options.seed ?? 0),
    pid,
    tgid: u32Option('tgid', options.tgid, pid),
    uid: u32Option('uid', options.uid, 0),
    gid: u32Option('gid', options.gid, 0),
    comm,
    cpu,
    numaNode: u32Option('numaNode', options.numaNode, 0),
    traceSink: options.traceSink ?? (() => undefined),
    checksumOffload: offload,
    hooks: options.hooks ?? {},
  });
}
