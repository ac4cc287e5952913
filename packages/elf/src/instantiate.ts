/**
 * `instantiate`: the VM-side world of a loaded object. From a {@link BpfObject} it makes one VM
 * (one address space) holding
 *
 * - every map, created with `@ebpf/maps` in object order (index `i` is `object.maps[i]`, what a
 *   linked `lddw` src 5 or 6 carries), handles and value addresses resolved at load time; the
 *   global-data sections among them are libbpf's internal maps (one-element arrays: `.rodata*`
 *   read-only for programs, `.data*` with its initial bytes, `.bss*` zeroed), so a data `lddw`
 *   src 6 is the kernel's "value of map `imm`" plus offset, like any other;
 * - the helpers: `@ebpf/helpers`' kernel set over those maps, or a set the caller gives;
 * - every program, verified and loaded with the context its section implies (`xdp` →
 *   `struct xdp_md`, `socket` → `__sk_buff` of a socket filter, `tc`/`classifier`/`action` →
 *   `__sk_buff` of tc, anything else → the caller's context bytes as `mbuff`), runnable on the
 *   interpreter or the JIT, and usable as a tail-call target through program-array maps.
 *
 * Callback references (`lddw` src 4, for `bpf_loop` and the like) load the target's
 * instruction index in the program; no helper calls back into a program yet.
 */

import { type HelperSet, installHelpers, kernelHelpers } from '@ebpf/helpers';
import { Lddw } from '@ebpf/isa';
import { type BpfMap, MapSet, ProgramArrayMap } from '@ebpf/maps';
import {
  type ContextType,
  contextLayout,
  contextTypeOf,
  EbpfVm,
  type EngineKind,
  type ExecutionEngine,
  type InputLayout,
  type LddwReference,
  mbuffLayout,
  type ProgramHandle,
  type RunInput,
  type RunOptions,
  type RunResult,
  type Verifier,
  type XdpLayoutOptions,
} from '@ebpf/vm';
import type { DataSection } from './data-section.js';
import {
  INSTANCE_BAD_ARGUMENT,
  INSTANCE_NOT_FOUND,
  INSTANCE_NOT_PROGRAM_ARRAY,
  InstanceError,
} from './instantiate-errors.js';
import type { BpfObject, BpfProgram } from './load-bpf-object.js';

/** Options of {@link instantiate}. */
export interface InstantiateOptions {
  /**
   * The helpers: a set, or a function of the instance's VM and maps giving one (default
   * `kernelHelpers({ maps })` of `@ebpf/helpers`).
   */
  readonly helpers?: HelperSet | ((world: { vm: EbpfVm; maps: MapSet }) => HelperSet);
  /** The verifier every program must pass (default the VM's, `structural`). */
  readonly verifier?: Verifier;
  /** A JIT engine (`createJit()` of `@ebpf/jit`), for `engine: 'jit'`. */
  readonly jit?: ExecutionEngine;
  /** The engine programs run on by default (default `'interp'`). */
  readonly engine?: EngineKind;
  /** Default instruction budget of every run. */
  readonly budget?: number;
  /** Simulated CPUs of per-CPU maps (default 1). */
  readonly cpus?: number;
  /** Headroom and tailroom of XDP packets. */
  readonly xdp?: XdpLayoutOptions;
  /** Only load these programs (by function name); default every program of the object. */
  readonly programs?: readonly string[];
}

/** A global-data section in the VM: its internal map's value. */
export interface InstanceData {
  readonly section: DataSection;
  /** The internal map holding it (`undefined` for an empty section, which has none). */
  readonly map: BpfMap | undefined;
  /** The map's region index and first virtual address, the section's first byte (0 when empty). */
  readonly region: number;
  readonly address: bigint;
  /**
   * A live view of the section's `size` bytes (the program's writes show; write to set
   * `.rodata`'s `const volatile` knobs, which programs cannot change).
   */
  bytes(): Uint8Array;
}

/** One program of an instance, ready to run. */
export interface InstanceProgram {
  readonly name: string;
  readonly section: string;
  /** The program type from the section name (`'xdp'`, `'sched_cls'`, `'kprobe'`...). */
  readonly type: string;
  /** Its context, or `undefined` when r1 points to the caller's `mbuff` bytes. */
  readonly context: ContextType | undefined;
  /** The VM's handle: what a program-array map holds for tail calls. */
  readonly handle: ProgramHandle;
  /**
   * Runs it once on `input` (`mem`: the packet; `ctx`: context fields; `mbuff`: context bytes
   * for programs without a modelled context).
   */
  run(input?: RunInput, options?: Omit<RunOptions, 'program'>): RunResult;
}

/** What {@link instantiate} makes. */
export interface BpfInstance {
  readonly object: BpfObject;
  /** The VM holding every map, data section, helper and program. */
  readonly vm: EbpfVm;
  /** The maps, by index as in `object.maps` (internal maps of the data sections included). */
  readonly maps: MapSet;
  /** The data sections, by index as in `object.data`. */
  readonly data: readonly InstanceData[];
  /** The loaded programs, in object order. */
  readonly programs: readonly InstanceProgram[];
  /** The program with that function name. @throws InstanceError INSTANCE_NOT_FOUND */
  program(name: string): InstanceProgram;
  /**
   * The map with that name (an internal map also by its section's name, `.rodata`).
   * @throws InstanceError INSTANCE_NOT_FOUND
   */
  map(name: string): BpfMap;
  /** The data section with that name (`.rodata`, `.bss`...). @throws InstanceError INSTANCE_NOT_FOUND */
  dataSection(name: string): InstanceData;
  /**
   * Puts program `program` at `index` of the program-array map `map` (what a loader does for
   * `bpf_tail_call`). Returns 0 or a negative errno, as the map's `set`.
   *
   * @throws InstanceError INSTANCE_NOT_FOUND, INSTANCE_NOT_PROGRAM_ARRAY
   */
  setTailCall(map: string, index: number, program: string): number;
}

function notFound(
  what: 'program' | 'map' | 'data section',
  name: string,
  available: readonly string[],
): InstanceError {
  return new InstanceError(INSTANCE_NOT_FOUND, { what, name, available });
}

function layoutOf(program: BpfProgram, xdp: XdpLayoutOptions): InputLayout {
  const type = contextTypeOf(program.type);
  return type === undefined ? mbuffLayout() : contextLayout(type, xdp);
}

function selectPrograms(object: BpfObject, names: readonly string[] | undefined): BpfProgram[] {
  if (names === undefined) return [...object.programs];
  if (!Array.isArray(names)) {
    throw new InstanceError(INSTANCE_BAD_ARGUMENT, {
      argument: 'programs',
      problem: 'not an array of names',
    });
  }
  return names.map((name) => {
    const found = object.programs.find((p) => p.name === name);
    if (!found)
      throw notFound(
        'program',
        name,
        object.programs.map((p) => p.name),
      );
    return found;
  });
}

/**
 * Creates the maps, data regions, helpers and programs of `object` in one new VM.
 *
 * @throws MapError for map definitions `@ebpf/maps` refuses; VerifyError for a program the
 * verifier refuses; VmError when the regions do not fit; InstanceError for bad options.
 *
 * @example
 * const instance = instantiate(loadBpfObject(bytes));
 * createTypedMap(instance.map('blocked_ports'), { key: u16, value: u64 }).set(22, 0n);
 * instance.program('xdp_firewall').run({ mem: frame }).r0; // 1n: XDP_DROP
 */
export function instantiate(object: BpfObject, options: InstantiateOptions = {}): BpfInstance {
  const selected = selectPrograms(object, options.programs);
  const vm = new EbpfVm<[RunInput?]>(mbuffLayout(), (input = {}) => input, undefined, {
    ...(options.verifier ? { verifier: options.verifier } : {}),
    ...(options.jit ? { jit: options.jit } : {}),
    ...(options.engine ? { engine: options.engine } : {}),
    ...(options.budget === undefined ? {} : { budget: options.budget }),
  });
  const maps = new MapSet(vm, { cpus: options.cpus ?? 1 });
  maps.createAll(object.maps);

  const data: InstanceData[] = object.data.map((section) => {
    const map = section.mapIndex === undefined ? undefined : maps.at(section.mapIndex);
    if (map?.region === undefined) {
      return { section, map: undefined, region: 0, address: 0n, bytes: () => new Uint8Array(0) };
    }
    const region = map.region;
    return {
      section,
      map,
      region,
      address: map.address,
      bytes: () => vm.regionBytes(region).subarray(0, section.size),
    };
  });

  const helpers =
    typeof options.helpers === 'function'
      ? options.helpers({ vm, maps })
      : (options.helpers ?? kernelHelpers({ maps }));
  installHelpers(vm, helpers);

  const resolveLddw = (ref: LddwReference): bigint | undefined =>
    ref.src === Lddw.CODE_ADDR
      ? BigInt(ref.pc + 1 + ref.imm)
      : maps.resolveLddw(ref.src, ref.imm, ref.next, ref.pc);
  const xdp = options.xdp ?? {};
  const declarations = maps.declarations('index');
  const programs: InstanceProgram[] = selected.map((program) => {
    const layout = layoutOf(program, xdp);
    const handle = vm.loadProgram(program.bytes, {
      name: program.name,
      layout,
      resolveLddw,
      maps: declarations,
    });
    return Object.freeze({
      name: program.name,
      section: program.section,
      type: program.type,
      context: contextTypeOf(program.type),
      handle,
      run: (input: RunInput = {}, runOptions: Omit<RunOptions, 'program'> = {}) =>
        vm.run(input, { ...runOptions, program: handle }),
    });
  });

  const instance: BpfInstance = {
    object,
    vm,
    maps,
    data,
    programs,
    program(name) {
      const found = programs.find((p) => p.name === name);
      if (!found)
        throw notFound(
          'program',
          name,
          programs.map((p) => p.name),
        );
      return found;
    },
    map(name) {
      const internal = data.find((d) => d.map && d.section.name === name)?.map;
      const found = maps.byName(name) ?? internal;
      if (!found)
        throw notFound(
          'map',
          name,
          [...maps].map((m) => m.name),
        );
      return found;
    },
    dataSection(name) {
      const found = data.find((d) => d.section.name === name);
      if (!found)
        throw notFound(
          'data section',
          name,
          data.map((d) => d.section.name),
        );
      return found;
    },
    setTailCall(mapName, index, programName) {
      const map = instance.map(mapName);
      if (!(map instanceof ProgramArrayMap)) {
        throw new InstanceError(INSTANCE_NOT_PROGRAM_ARRAY, {
          map: mapName,
          typeName: map.typeName,
        });
      }
      return map.set(index, instance.program(programName).handle);
    },
  };
  return Object.freeze(instance);
}
