/**
 * Reading program memory the way the kernel's `*_nofault` accessors do: a helper asks how much
 * is readable at an address instead of faulting, so that `bpf_probe_read` and friends can return
 * -EFAULT on a bad pointer as the kernel does. Writes stay checked by the VM (a bad destination
 * is a program bug the kernel's verifier refuses, so it faults here).
 */
import type { HelperContext } from '@ebpf/vm';

/** Error numbers helpers return (negated), as `errno.h` defines them. */
export const HelperErrno = Object.freeze({
  EPERM: 1,
  ENOENT: 2,
  E2BIG: 7,
  EAGAIN: 11,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EINVAL: 22,
  ENOSPC: 28,
  ENOTSUPP: 524,
} as const);

/** A negative errno as a 64-bit register value. */
export function negateErrno(n: number): bigint {
  return BigInt.asUintN(64, BigInt(-n));
}

/** Bytes readable from `address` to the end of its region (0 for an unmapped address). */
export function readableLength(ctx: HelperContext, address: bigint): number {
  const a = BigInt.asUintN(64, address);
  const region = ctx.space.region(Number(a >> 32n));
  if (!region) return 0;
  const offset = Number(a & 0xffff_ffffn);
  return offset < region.length ? region.length - offset : 0;
}

/** A copy of `length` bytes at `address`, or `undefined` when any of them is not readable. */
export function tryRead(
  ctx: HelperContext,
  address: bigint,
  length: number,
): Uint8Array | undefined {
  if (length === 0) return new Uint8Array(0);
  if (readableLength(ctx, address) < length) return undefined;
  return ctx.read(address, length);
}

/**
 * The NUL-terminated string at `address`, reading at most `max` bytes: its bytes without the NUL
 * and whether a NUL was found; `undefined` when memory ends before a NUL or `max` bytes.
 */
export function tryReadCString(
  ctx: HelperContext,
  address: bigint,
  max: number,
): { bytes: Uint8Array; terminated: boolean } | undefined {
  const available = readableLength(ctx, address);
  const window = Math.min(available, max);
  // Scan a live view (no copy of what may be a large region), then copy only the string.
  const view = window > 0 ? ctx.view(address, window) : new Uint8Array(0);
  const nul = view.indexOf(0);
  if (nul >= 0) return { bytes: view.slice(0, nul), terminated: true };
  if (window < max) return undefined;
  return { bytes: view.slice(), terminated: false };
}

/** A register as a u32 (the kernel's `u32` helper arguments). */
export function u32(r: bigint): number {
  return Number(r & 0xffff_ffffn);
}

/** A register as an s32 (the kernel's `int` helper arguments). */
export function s32(r: bigint): number {
  return Number(BigInt.asIntN(32, r));
}
