/**
 * Number spellings the two syntaxes use. rbpf prints with Rust's `{:#x}`, which shows negative
 * numbers as their two's complement; LLVM prints signed hexadecimal.
 */

/** `0x` and the 32 bits of `n` as unsigned hex: `formatHexU32(-1)` is `0xffffffff`. */
export function formatHexU32(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}

/** The 64 bits of `n` as unsigned hex. */
export function formatHexU64(n: bigint): string {
  return `0x${BigInt.asUintN(64, n).toString(16)}`;
}

/** Signed hex: `-0x5`, `0x5`. */
export function formatHexSigned(n: number | bigint): string {
  const big = BigInt(n);
  return big < 0n ? `-0x${(-big).toString(16)}` : `0x${big.toString(16)}`;
}

/** Signed hex that always carries its sign: `+0x5`, `-0x5`, `+0x0`. */
export function formatHexOffset(n: number): string {
  return n < 0 ? `-0x${(-n).toString(16)}` : `+0x${n.toString(16)}`;
}
