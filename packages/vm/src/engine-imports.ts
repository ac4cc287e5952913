/**
 * The VM's fault and tail-call paths as functions a compiled engine can import (a WebAssembly
 * module's JavaScript imports): the JIT calls them only where its fast path already failed, so
 * they cost nothing on accesses that fit the region table.
 */
import type { EngineEnvironment } from './engine.js';

/** What {@link engineImports} gives: plain functions over i32 and i64 (bigint) values. */
export interface EngineImports {
  /**
   * The fault path of a load: the value a slow region (the program context) gives, as a
   * signed 64-bit bigint (what an i64 import returns), or the `VmError` thrown.
   */
  slowLoad(hi: number, lo: number, size: number, signed: number, pc: number): bigint;
  /** The fault path of a store of `value`; throws the `VmError` when nobody takes it. */
  slowStore(hi: number, lo: number, size: number, value: bigint, pc: number): void;
  /** 1 when a helper just requested a tail call (check after every helper call), else 0. */
  tailCallPending(): number;
}

/**
 * The fault and tail-call paths of `env`, ready to import.
 *
 * @example
 * const { slowLoad, slowStore, tailCallPending } = engineImports(env);
 * new WebAssembly.Instance(module, { env: { memory: env.space.memory, slowLoad, slowStore, tailCallPending } });
 */
export function engineImports(env: EngineEnvironment): EngineImports {
  const { space, helpers } = env;
  return Object.freeze({
    slowLoad: (hi: number, lo: number, size: number, signed: number, pc: number) =>
      BigInt.asIntN(64, space.slowLoad(hi, lo, size, signed !== 0, pc)),
    slowStore: (hi: number, lo: number, size: number, value: bigint, pc: number) =>
      space.slowStore(hi, lo, size, BigInt.asUintN(64, value), pc),
    tailCallPending: () => (helpers.tailCallPending ? 1 : 0),
  });
}
