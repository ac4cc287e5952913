/**
 * Helper sets: immutable maps from helper id to `{ name, fn, prototype }` that users extend,
 * trim or replace before installing them into a VM. Every edit returns a new set.
 */
import type { HelperPrototype } from '@ebpf/verifier';
import type { Helper } from '@ebpf/vm';
import { HELPERS_BAD_ENTRY, HELPERS_UNKNOWN_NAME, HelperError } from './helper-errors.js';

/** One helper: what it is called, what it does, and what the strict verifier checks. */
export interface HelperDefinition {
  /** The C name, such as `bpf_map_lookup_elem`. */
  readonly name: string;
  /** The implementation (r1-r5 and the VM's helper context, returning r0). */
  readonly fn: Helper;
  /** Argument and return kinds for the strict verifier. */
  readonly prototype: HelperPrototype;
  /** The C prototype, for documentation and tools. */
  readonly signature?: string;
}

/** A helper in a set, with its id. */
export interface HelperSetEntry extends HelperDefinition {
  readonly id: number;
}

/** Anything helpers can be installed into (every `EbpfVm`). */
export interface HelperTarget {
  registerHelper(id: number, fn: Helper, prototype?: HelperPrototype): void;
}

function checkId(id: number): number {
  if (!Number.isInteger(id) || id < 0 || id > 0xffff_ffff) {
    throw new HelperError(HELPERS_BAD_ENTRY, { id, problem: 'the id is not a u32' });
  }
  return id;
}

function checkEntry(id: number, def: HelperDefinition): HelperSetEntry {
  checkId(id);
  if (def === null || typeof def !== 'object') {
    throw new HelperError(HELPERS_BAD_ENTRY, { id, problem: 'the entry is not an object' });
  }
  if (typeof def.fn !== 'function') {
    throw new HelperError(HELPERS_BAD_ENTRY, { id, problem: 'fn is not a function' });
  }
  if (typeof def.name !== 'string' || def.name === '') {
    throw new HelperError(HELPERS_BAD_ENTRY, { id, problem: 'name is not a non-empty string' });
  }
  const p = def.prototype;
  if (!p || !Array.isArray(p.args) || p.args.length > 5 || typeof p.ret !== 'string') {
    throw new HelperError(HELPERS_BAD_ENTRY, {
      id,
      problem: 'prototype must have at most 5 args and a ret kind',
    });
  }
  const prototype: HelperPrototype = Object.freeze({ ...p, name: p.name ?? def.name });
  return Object.freeze({
    id,
    name: def.name,
    fn: def.fn,
    prototype,
    ...(def.signature === undefined ? {} : { signature: def.signature }),
  });
}

/** `bpf_map_lookup_elem` and `map_lookup_elem` name the same helper. */
function sameName(entry: HelperSetEntry, name: string): boolean {
  return entry.name === name || entry.name === `bpf_${name}`;
}

/**
 * A frozen set of helpers by id. Edits (`with`, `without`, `only`, `merge`) return new sets.
 *
 * @example
 * const set = kernelHelpers({ maps })
 *   .without(KernelHelper.TRACE_PRINTK)
 *   .with(0x1000, { name: 'my_hash', fn: (r1) => r1 * 31n, prototype: { args: ['scalar'], ret: 'scalar' } });
 * installHelpers(vm, set);
 */
export class HelperSet implements ReadonlyMap<number, HelperSetEntry> {
  readonly #byId: ReadonlyMap<number, HelperSetEntry>;

  constructor(entries: Iterable<readonly [number, HelperDefinition]> = []) {
    const byId = new Map<number, HelperSetEntry>();
    for (const [id, def] of entries) byId.set(id, checkEntry(id, def));
    this.#byId = new Map([...byId].sort((a, b) => a[0] - b[0]));
    Object.freeze(this);
  }

  /** The number of helpers. */
  get size(): number {
    return this.#byId.size;
  }

  /** The helper with id `id`. */
  get(id: number): HelperSetEntry | undefined {
    return this.#byId.get(id);
  }

  /** Whether the set holds helper `id`. */
  has(id: number): boolean {
    return this.#byId.has(id);
  }

  /** The helper called `name` (with or without the `bpf_` prefix). */
  byName(name: string): HelperSetEntry | undefined {
    for (const e of this.#byId.values()) if (sameName(e, name)) return e;
    return undefined;
  }

  /** The ids, ascending. */
  keys(): MapIterator<number> {
    return this.#byId.keys();
  }

  /** The helpers, by ascending id. */
  values(): MapIterator<HelperSetEntry> {
    return this.#byId.values();
  }

  /** `[id, helper]` pairs, by ascending id. */
  entries(): MapIterator<[number, HelperSetEntry]> {
    return this.#byId.entries();
  }

  /** The same as {@link HelperSet.entries}. */
  [Symbol.iterator](): MapIterator<[number, HelperSetEntry]> {
    return this.#byId.entries();
  }

  /** Calls `callback` for each helper, by ascending id. */
  forEach(
    callback: (
      value: HelperSetEntry,
      key: number,
      map: ReadonlyMap<number, HelperSetEntry>,
    ) => void,
  ): void {
    for (const [k, v] of this.#byId) callback(v, k, this);
  }

  /** A copy with helper `id` added or replaced. */
  with(id: number, definition: HelperDefinition): HelperSet {
    checkEntry(id, definition);
    return new HelperSet([...this.#byId, [id, definition]]);
  }

  /** A copy without the given ids (ids the set does not hold are ignored). */
  without(...ids: number[]): HelperSet {
    const drop = new Set(ids.map(checkId));
    return new HelperSet([...this.#byId].filter(([id]) => !drop.has(id)));
  }

  /**
   * A copy holding only the named helpers (names with or without `bpf_`, or ids).
   *
   * @throws HelperError HELPERS_UNKNOWN_NAME for a name or id the set does not hold.
   */
  only(...names: (string | number)[]): HelperSet {
    const keep = new Set<number>();
    for (const name of names) {
      const entry = typeof name === 'number' ? this.get(name) : this.byName(name);
      if (!entry) {
        throw new HelperError(HELPERS_UNKNOWN_NAME, {
          name,
          known: [...this.#byId.values()].map((e) => e.name),
        });
      }
      keep.add(entry.id);
    }
    return new HelperSet([...this.#byId].filter(([id]) => keep.has(id)));
  }

  /** A copy with every helper of `other` added (`other` wins where both hold an id). */
  merge(other: HelperSet): HelperSet {
    return new HelperSet([...this.#byId, ...other]);
  }

  /** The prototypes by id, as a verifier's host declaration lists them. */
  prototypes(): Map<number, HelperPrototype> {
    return new Map([...this.#byId].map(([id, e]) => [id, e.prototype]));
  }
}

/**
 * Registers every helper of `set` in `vm` with its prototype. Install before `setProgram`, so
 * that the verifier sees the prototypes.
 *
 * @example
 * const vm = new EbpfVmNoData();
 * installHelpers(vm, kernelHelpers({ maps: new MapSet(vm) }));
 */
export function installHelpers(vm: HelperTarget, set: HelperSet): void {
  for (const entry of set.values()) vm.registerHelper(entry.id, entry.fn, entry.prototype);
}
