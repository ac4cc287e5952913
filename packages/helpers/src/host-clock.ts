/**
 * Clocks the time helpers read. The host provides one; the default is a deterministic clock
 * that advances a fixed step on every read, so that runs repeat exactly (and the interpreter
 * and the JIT, which make the same helper calls, see the same times).
 */
import { HELPERS_BAD_OPTION, HelperError } from './helper-errors.js';

/** The clocks behind `bpf_ktime_get_*_ns` and `bpf_jiffies64`, all in nanoseconds. */
export interface HostClock {
  /** `CLOCK_MONOTONIC`: time since boot, not counting suspend. */
  monotonicNs(): bigint;
  /** `CLOCK_BOOTTIME`: time since boot, counting suspend. */
  bootNs(): bigint;
  /** `CLOCK_TAI`: wall-clock time on the TAI scale. */
  taiNs(): bigint;
}

/** Options of {@link createSteppingClock}. */
export interface SteppingClockOptions {
  /** The first monotonic reading (default 1 s: a little after boot). */
  readonly startNs?: bigint;
  /** How far every reading advances the clock (default 1000 ns). */
  readonly stepNs?: bigint;
  /** Time spent suspended, added to boot-time readings (default 0). */
  readonly suspendedNs?: bigint;
  /** TAI at monotonic 0 (default 1.7e18 ns, in 2023). */
  readonly taiAtBootNs?: bigint;
}

function nonNegative(name: string, v: bigint): bigint {
  if (typeof v !== 'bigint' || v < 0n) {
    throw new HelperError(HELPERS_BAD_OPTION, {
      option: name,
      problem: `${String(v)} is not a non-negative bigint`,
    });
  }
  return v;
}

/**
 * A deterministic clock: monotonic readings start at `startNs` and advance by `stepNs` on every
 * read of any of its clocks.
 *
 * @example
 * const clock = createSteppingClock({ startNs: 0n, stepNs: 10n });
 * clock.monotonicNs(); // 0n
 * clock.monotonicNs(); // 10n
 */
export function createSteppingClock(options: SteppingClockOptions = {}): HostClock {
  let now = nonNegative('clock.startNs', options.startNs ?? 1_000_000_000n);
  const step = nonNegative('clock.stepNs', options.stepNs ?? 1000n);
  const suspended = nonNegative('clock.suspendedNs', options.suspendedNs ?? 0n);
  const taiAtBoot = nonNegative(
    'clock.taiAtBootNs',
    options.taiAtBootNs ?? 1_700_000_000_000_000_000n,
  );
  const tick = (): bigint => {
    const t = now;
    now += step;
    return t;
  };
  return Object.freeze({
    monotonicNs: tick,
    bootNs: () => tick() + suspended,
    taiNs: () => tick() + suspended + taiAtBoot,
  });
}

/**
 * A clock over a host time source giving milliseconds with a fraction (such as
 * `performance.now`), anchored at `epochMs` for TAI.
 *
 * @example
 * const clock = createHostClock(() => performance.now(), Date.now() + 37_000);
 */
export function createHostClock(nowMs: () => number, epochMs = 0): HostClock {
  if (typeof nowMs !== 'function') {
    throw new HelperError(HELPERS_BAD_OPTION, { option: 'nowMs', problem: 'not a function' });
  }
  const read = (): bigint => {
    const ms = nowMs();
    return Number.isFinite(ms) && ms >= 0 ? BigInt(Math.floor(ms * 1e6)) : 0n;
  };
  const epoch = Number.isFinite(epochMs) ? BigInt(Math.floor(epochMs * 1e6)) : 0n;
  return Object.freeze({ monotonicNs: read, bootNs: read, taiNs: () => read() + epoch });
}
