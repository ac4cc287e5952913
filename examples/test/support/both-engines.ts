/**
 * Running an example on both engines. Each engine gets its own instance of the object (its own
 * VM, maps and data), runs the same scenario, and reports what it saw as plain data: the tests
 * check each engine's report against the expected outcome and the two reports against each
 * other.
 */
import { type BpfInstance, type InstantiateOptions, instantiate, loadBpfObject } from '@ebpf/elf';
import { createJit } from '@ebpf/jit';
import { KeyValueMap } from '@ebpf/maps';
import { type ExampleName, readExampleObject } from './examples.js';

/** The two engines every example runs on. */
export const ENGINES = ['interp', 'jit'] as const;
export type Engine = (typeof ENGINES)[number];

/** A fresh instance of an example's object (loaded from its unchanged bytes) on `engine`. */
export function instantiateExample(
  name: ExampleName,
  engine: Engine,
  options: Omit<InstantiateOptions, 'jit' | 'engine'> = {},
): BpfInstance {
  return instantiate(loadBpfObject(readExampleObject(name)), {
    ...options,
    jit: createJit(),
    engine,
  });
}

/**
 * Runs `scenario` at most once per engine, when a test first asks for that engine's report, and
 * keeps the report (or the error it threw, thrown again to every test that asks).
 */
export function perEngine<T>(scenario: (engine: Engine) => T): (engine: Engine) => T {
  const done = new Map<Engine, { ok: true; value: T } | { ok: false; error: unknown }>();
  return (engine) => {
    let outcome = done.get(engine);
    if (!outcome) {
      try {
        outcome = { ok: true, value: scenario(engine) };
      } catch (error) {
        outcome = { ok: false, error };
      }
      done.set(engine, outcome);
    }
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  };
}

/** Bytes as lower-case hex, for reports that compare with `toEqual` and print readably. */
export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Every entry of a key/value map as hex text, key → value (per-CPU maps: key → one value per
 * CPU), in the map's iteration order.
 */
export function snapshotMap(
  instance: BpfInstance,
  name: string,
): Record<string, string | string[]> {
  const map = instance.map(name);
  if (!(map instanceof KeyValueMap)) throw new Error(`map ${name} is not a key/value map`);
  const out: Record<string, string | string[]> = {};
  for (const key of map.keys()) {
    out[hex(key)] = map.perCpu
      ? (map.lookupPerCpu(key) ?? []).map(hex)
      : hex(map.lookup(key) ?? new Uint8Array(0));
  }
  return out;
}

/** Every key/value map of an instance, by name (what both engines must agree on). */
export function snapshotMaps(
  instance: BpfInstance,
): Record<string, Record<string, string | string[]>> {
  const out: Record<string, Record<string, string | string[]>> = {};
  for (const map of instance.maps) {
    if (map instanceof KeyValueMap) out[map.name] = snapshotMap(instance, map.name);
  }
  return out;
}
