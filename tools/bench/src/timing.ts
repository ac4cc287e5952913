/**
 * What one engine measured on one benchmark, and the statistics the table needs.
 */

/** Timings of one engine on one benchmark, in nanoseconds, execution alone. */
export interface Measurement {
  readonly engine: string;
  readonly benchmark: string;
  /** The very first run (for the JIT: the first call after compiling). */
  readonly firstNs: number;
  /** Each run after the warm-up runs. */
  readonly steadyNs: readonly number[];
  /** Compile time, for engines that compile. */
  readonly compileNs?: number;
  /** r0 of every run agreed with `expected.json`. */
  readonly correct: boolean;
  /** r0 of the first wrong run, when one was wrong. */
  readonly wrongR0?: bigint;
}

/**
 * The median of `values` (the mean of the middle two for an even count); NaN when empty.
 *
 * @example
 * median([5, 1, 3]); // 3
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs `fn` and returns its result with the nanoseconds it took. */
export function timeCall<T>(fn: () => T): { value: T; ns: number } {
  const start = process.hrtime.bigint();
  const value = fn();
  const ns = Number(process.hrtime.bigint() - start);
  return { value, ns };
}
