/** Timestamp units: the pcapng `if_tsresol` encoding, to and from nanoseconds. */
import type { CaptureInterface } from './capture-types.js';

/** `if_tsresol` values: 6 = microseconds (the pcapng default), 9 = nanoseconds. */
export const TimestampResolution = Object.freeze({ MICROSECONDS: 6, NANOSECONDS: 9 } as const);

const NS_PER_SECOND = 1_000_000_000n;

/**
 * Converts a raw timestamp in an interface's units to nanoseconds since the epoch, rounding
 * toward zero when the unit is finer than a nanosecond.
 *
 * @example
 * convertTimestamp(1_500_000n, { timestampResolution: 6, timestampOffsetSeconds: 0n }); // 1_500_000_000n
 */
export function convertTimestamp(
  units: bigint,
  iface: Pick<CaptureInterface, 'timestampResolution' | 'timestampOffsetSeconds'>,
): bigint {
  const offset = iface.timestampOffsetSeconds * NS_PER_SECOND;
  const resolution = iface.timestampResolution;
  const exponent = BigInt(resolution & 0x7f);
  if ((resolution & 0x80) !== 0) return ((units * NS_PER_SECOND) >> exponent) + offset;
  if (exponent <= 9n) return units * 10n ** (9n - exponent) + offset;
  return units / 10n ** (exponent - 9n) + offset;
}

/**
 * Converts nanoseconds to raw units of `resolution` (the inverse of `convertTimestamp` without
 * an offset). Units coarser than a nanosecond round toward zero; finer binary units round up,
 * so that `convertTimestamp` gives the same nanoseconds back.
 *
 * @example
 * convertToUnits(1_500_000_123n, 6); // 1_500_000n
 */
export function convertToUnits(ns: bigint, resolution: number): bigint {
  const exponent = BigInt(resolution & 0x7f);
  if ((resolution & 0x80) !== 0) {
    const scaled = ns << exponent;
    const units = scaled / NS_PER_SECOND;
    const finer = 1n << exponent > NS_PER_SECOND;
    return finer && units * NS_PER_SECOND !== scaled ? units + 1n : units;
  }
  if (exponent <= 9n) return ns / 10n ** (9n - exponent);
  return ns * 10n ** (exponent - 9n);
}
