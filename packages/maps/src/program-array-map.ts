/**
 * `BPF_MAP_TYPE_PROG_ARRAY` (3): the table `bpf_tail_call` jumps through. Keys are u32 indices,
 * values are programs; the host stores program handles (whatever opaque value the VM or loader
 * uses to name a program) and a tail call asks for the handle at an index. Programs cannot look
 * up, update or delete entries (the kernel's verifier only lets them tail-call), so nothing lives
 * in VM memory and the map has no region.
 */
import type { MapEnvironment } from './bpf-map.js';
import { BpfMap } from './bpf-map.js';
import { Errno, MAP_ACCESS_MASK, MapFlag, UpdateFlag } from './map-constants.js';
import { type CheckedDefinition, checkDefinition } from './map-definition.js';
import { MAP_BAD_ARGUMENT, MapError } from './map-errors.js';

/**
 * A program array holding handles of type `P`.
 *
 * @example
 * const jumps = createMap({ name: 'jumps', type: MapType.PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: 8 }, vm) as ProgramArrayMap<EbpfVm>;
 * jumps.set(2, parserVm);   // 0
 * jumps.tailCallTarget(2n); // parserVm
 */
export class ProgramArrayMap<P = unknown> extends BpfMap {
  readonly #programs = new Map<number, P>();

  constructor(def: CheckedDefinition, env: MapEnvironment) {
    checkDefinition(def, {
      keySize: 4,
      valueSize: 4,
      flagMask:
        (MAP_ACCESS_MASK & ~(MapFlag.RDONLY_PROG | MapFlag.WRONLY_PROG)) | MapFlag.NUMA_NODE,
    });
    super(def, env, 0);
  }

  /** The number of occupied slots. */
  get size(): number {
    return this.#programs.size;
  }

  #index(index: number): number | undefined {
    if (!Number.isInteger(index) || index < 0 || index > 0xffff_ffff) {
      throw new MapError(MAP_BAD_ARGUMENT, {
        argument: `index into program array '${this.name}'`,
        problem: `${index} is not a u32`,
      });
    }
    return index < this.maxEntries ? index : undefined;
  }

  /**
   * Puts `program` at `index`. Returns 0, -E2BIG for an index past `max_entries`, -EINVAL for
   * flags other than BPF_ANY (as the kernel's program arrays).
   */
  set(index: number, program: P, flags = 0): number {
    if (flags !== UpdateFlag.ANY) return -Errno.EINVAL;
    const at = this.#index(index);
    if (at === undefined) return -Errno.E2BIG;
    this.#programs.set(at, program);
    return 0;
  }

  /** The program at `index`, or `undefined`. */
  get(index: number): P | undefined {
    const at = this.#index(index);
    return at === undefined ? undefined : this.#programs.get(at);
  }

  /** Empties slot `index`. Returns 0, -E2BIG past `max_entries`, -ENOENT for an empty slot. */
  delete(index: number): number {
    const at = this.#index(index);
    if (at === undefined) return -Errno.E2BIG;
    return this.#programs.delete(at) ? 0 : -Errno.ENOENT;
  }

  /**
   * What `bpf_tail_call(ctx, map, index)` jumps to: the program at the low 32 bits of the index
   * register, or `undefined` (the call then falls through, as in the kernel).
   */
  tailCallTarget(index: bigint | number): P | undefined {
    const at = Number(
      BigInt.asUintN(32, typeof index === 'bigint' ? index : BigInt(Math.trunc(index))),
    );
    return at < this.maxEntries ? this.#programs.get(at) : undefined;
  }

  /** Occupied slots in index order. */
  entries(): [number, P][] {
    return [...this.#programs.entries()].sort((a, b) => a[0] - b[0]);
  }
}
