/**
 * Running a program of an ELF object: `@ebpf/elf`'s `instantiate` makes its maps, data, helpers
 * and programs in one VM (on the interpreter or the JIT), `--map-set` seeds maps, and the chosen
 * program runs once or on every packet of a capture.
 */
import { type BpfInstance, type BpfObject, type InstanceProgram, instantiate } from '@ebpf/elf';
import { createJit } from '@ebpf/jit';
import { TcAction } from '@ebpf/vm';
import { type Capture, type ReplayMode, type ReplayResult, replay } from '../pcap/index.js';
import { CLI_PROGRAM_NOT_PACKET, RunError } from './run-errors.js';
import { applyMapSetting, type MapSetting } from './run-map-set.js';

/** How to set up an instance for `ebpf run` and `ebpf demo`. */
export interface ElfRunOptions {
  readonly engine: 'interp' | 'jit';
  readonly budget?: number | undefined;
  readonly mapSettings?: readonly MapSetting[];
}

/**
 * Instantiates `object` (every program, so tail calls find their targets) on `engine` and applies
 * the `--map-set` settings in order.
 *
 * @throws the loader's, verifier's and maps' typed errors; InstanceError for an unknown map.
 */
export function instantiateForRun(object: BpfObject, options: ElfRunOptions): BpfInstance {
  const instance = instantiate(object, {
    engine: options.engine,
    ...(options.engine === 'jit' ? { jit: createJit() } : {}),
    ...(options.budget === undefined ? {} : { budget: options.budget }),
  });
  for (const setting of options.mapSettings ?? []) {
    applyMapSetting(instance.map(setting.map), setting);
  }
  return instance;
}

/**
 * Runs `program` once: context programs (XDP, socket filter, tc) get `mem` as the packet (empty
 * without one), others get it as their context bytes (`mbuff`).
 */
export function runOnce(program: InstanceProgram, mem: Uint8Array | undefined) {
  return program.context === undefined
    ? program.run({ mbuff: mem })
    : program.run({ mem: mem ?? new Uint8Array(0) });
}

const TC_NAMES = new Map<number, string>(
  Object.entries(TcAction).map(([name, value]) => [value, `TC_ACT_${name}`]),
);

/** A tc verdict's name: r0 as a signed 32-bit `TC_ACT_*` value. */
export function nameTcVerdict(verdict: bigint): string {
  const value = Number(BigInt.asIntN(32, verdict));
  return TC_NAMES.get(value) ?? `INVALID(${value})`;
}

/**
 * Re-labels a replay made in XDP mode with tc's verdict names and recounts them from the
 * per-packet results (`replay` itself knows XDP and socket filters).
 */
function relabelTc(result: ReplayResult): ReplayResult {
  const verdicts = new Map<string, number>([
    ['TC_ACT_OK', 0],
    ['TC_ACT_SHOT', 0],
  ]);
  const results = result.results.map((r) =>
    r.verdict === undefined ? r : { ...r, verdictName: nameTcVerdict(r.verdict) },
  );
  for (const r of results) verdicts.set(r.verdictName, (verdicts.get(r.verdictName) ?? 0) + 1);
  // The summary formatter prefixes XDP_ only in 'xdp' mode; tc names carry their own prefix.
  return { summary: { ...result.summary, mode: 'tc' as ReplayMode, verdicts }, results };
}

/** The replay mode a program's context calls for. */
function modeOf(program: InstanceProgram): ReplayMode | 'tc' {
  switch (program.context) {
    case 'xdp':
      return 'xdp';
    case 'socket_filter':
      return 'socket-filter';
    case 'sched_cls':
      return 'tc';
    default:
      throw new RunError(CLI_PROGRAM_NOT_PACKET, { program: program.name, type: program.type });
  }
}

/**
 * Replays every packet of `capture` through `program` (a copy of each frame, since the program
 * may write it) and counts the verdicts: XDP actions, socket-filter kept bytes, or `TC_ACT_*`.
 *
 * @throws RunError CLI_PROGRAM_NOT_PACKET for a program that takes no packet.
 */
export function replayCapture(
  program: InstanceProgram,
  capture: Capture,
  options: {
    keepResults: boolean;
    onProgress?: (done: number, total: number | undefined) => void;
  },
): ReplayResult {
  const mode = modeOf(program);
  const result = replay(
    capture,
    (packet) => {
      const r = program.run({ mem: packet.data.slice() });
      return { verdict: r.r0, instructions: r.insnCount };
    },
    {
      mode: mode === 'tc' ? 'xdp' : mode,
      // tc verdicts are re-counted from the per-packet results.
      keepResults: options.keepResults || mode === 'tc',
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    },
  );
  if (mode !== 'tc') return result;
  const relabelled = relabelTc(result);
  return options.keepResults ? relabelled : { ...relabelled, results: [] };
}
