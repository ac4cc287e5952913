/**
 * Runs the same program on the interpreter and on the JIT, each in a world of its own (VM, maps,
 * helpers), so a test compares everything observable between the two engines.
 */
import { assemble } from '@ebpf/assembler';
import { createJit } from '@ebpf/jit';
import { type BpfMap, type MapDefinition, MapSet } from '@ebpf/maps';
import { EbpfVmNoData, EbpfVmRaw, type EngineKind } from '@ebpf/vm';
import { installHelpers, type KernelHelperOptions, kernelHelpers } from '../../src/index.js';

export const ENGINES: readonly EngineKind[] = ['interp', 'jit'];

export interface World {
  readonly vm: EbpfVmNoData | EbpfVmRaw;
  readonly maps: MapSet;
  readonly created: BpfMap[];
  readonly lines: string[];
  /** Runs once on the world's engine; returns r0. */
  run(packet?: Uint8Array): bigint;
  /** Maps host bytes into the program's address space; returns their address. */
  hostMemory(data: Uint8Array, writable?: boolean): bigint;
}

export interface WorldOptions {
  readonly maps?: readonly MapDefinition[];
  readonly helpers?: KernelHelperOptions;
  /** Host memory regions laid out before the program is assembled (their addresses go in). */
  readonly memory?: readonly Uint8Array[];
  /** Read-only host memory, laid out after `memory` (their addresses follow in the list). */
  readonly readOnlyMemory?: readonly Uint8Array[];
  readonly raw?: boolean;
}

/** Builds a world for `engine`; `source` may use the addresses of `options.memory` regions. */
export function createWorld(
  engine: EngineKind,
  source: string | ((addresses: bigint[]) => string),
  options: WorldOptions = {},
): World {
  const vmOptions = { jit: createJit(), engine };
  const vm = options.raw
    ? new EbpfVmRaw(undefined, vmOptions)
    : new EbpfVmNoData(undefined, vmOptions);
  const maps = new MapSet(vm);
  const created = (options.maps ?? []).map((d) => maps.create(d));
  const lines: string[] = [];
  installHelpers(vm, kernelHelpers({ maps, traceSink: (l) => lines.push(l), ...options.helpers }));
  const hostMemory = (data: Uint8Array, writable = true) =>
    vm.registerAllowedMemory(data, { writable });
  const addresses = [
    ...(options.memory ?? []).map((m) => hostMemory(m)),
    ...(options.readOnlyMemory ?? []).map((m) => hostMemory(m, false)),
  ];
  const text = typeof source === 'string' ? source : source(addresses);
  vm.setProgram(maps.relocate(assemble(text)));
  return {
    vm,
    maps,
    created,
    lines,
    hostMemory,
    run: (packet) =>
      options.raw
        ? (vm as EbpfVmRaw).executeProgram(packet)
        : (vm as EbpfVmNoData).executeProgram(),
  };
}
