/**
 * The kernel helper set: every helper of this package at its kernel id, bound to one host
 * environment.
 */
import { checksumHelpers } from './checksum-helpers.js';
import { type KernelHelperOptions, resolveHelperEnvironment } from './helper-environment.js';
import { HelperSet } from './helper-set.js';
import { mapHelpers } from './map-helpers.js';
import { memoryHelpers } from './memory-helpers.js';
import { packetHelpers } from './packet-helpers.js';
import { tailCallHelpers } from './tail-call-helper.js';
import { taskHelpers } from './task-helpers.js';
import { timeHelpers } from './time-helpers.js';
import { traceHelpers } from './trace-helpers.js';

/**
 * The kernel helpers (ids as in `linux/bpf.h`) over one environment: maps, clock, random source,
 * task, CPU, trace sink. Every option has a deterministic default.
 *
 * @example
 * const vm = new EbpfVmRaw();
 * const maps = new MapSet(vm);
 * const lines: string[] = [];
 * installHelpers(vm, kernelHelpers({ maps, traceSink: (l) => lines.push(l), pid: 7 }));
 *
 * @throws HelperError HELPERS_BAD_OPTION for an option out of range.
 */
export function kernelHelpers(options: KernelHelperOptions = {}): HelperSet {
  const env = resolveHelperEnvironment(options);
  return new HelperSet([
    ...mapHelpers(env),
    ...memoryHelpers(),
    ...timeHelpers(env),
    ...taskHelpers(env),
    ...traceHelpers(env),
    ...checksumHelpers(env),
    ...packetHelpers(env),
    ...tailCallHelpers(env),
  ]);
}
