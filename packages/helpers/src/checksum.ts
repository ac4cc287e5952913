/**
 * Internet checksum arithmetic (RFC 1071 ones'-complement sums, RFC 1624 incremental updates)
 * in the kernel's vocabulary: a 32-bit partial sum (`__wsum`) and a folded, inverted 16-bit
 * checksum (`__sum16`). Values are in memory order: a checksum field or a header word is the
 * number a little-endian load of its bytes gives, which is what a program's loads put in
 * registers on the little-endian machines the kernel's BPF runs on.
 *
 * All values are unsigned: partial sums in [0, 2^32), checksums in [0, 2^16).
 */

const TWO_32 = 0x1_0000_0000;

/** `csum_add`: a + b with the carry out of bit 31 added back in. */
export function csumAdd(a: number, b: number): number {
  const t = (a >>> 0) + (b >>> 0);
  return t >= TWO_32 ? t - TWO_32 + 1 : t;
}

/** `csum_sub`: a - b in ones' complement (adds the complement of b). */
export function csumSub(a: number, b: number): number {
  return csumAdd(a, ~b >>> 0);
}

/** `csum_fold`: folds a 32-bit partial sum to 16 bits and inverts it. */
export function csumFold(sum: number): number {
  let s = sum >>> 0;
  s = (s & 0xffff) + (s >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** 16-bit ones'-complement addition (`csum16_add`). */
export function csum16Add(a: number, b: number): number {
  const t = (a & 0xffff) + (b & 0xffff);
  return t > 0xffff ? t - 0xffff : t;
}

/**
 * `csum_partial`: the 32-bit ones'-complement sum of `bytes` (as little-endian 32-bit words, a
 * trailing 16-bit word and byte), added to `seed`.
 *
 * @example
 * csumFold(csumPartial(ipv4Header, 0)); // 0 for a header whose checksum field is right
 */
export function csumPartial(bytes: Uint8Array, seed = 0): number {
  let acc = 0;
  let i = 0;
  const n = bytes.length;
  for (; i + 4 <= n; i += 4) {
    acc += (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24)) >>> 0;
    // Fold often enough that the accumulator stays an exact integer.
    if (acc >= 2 ** 52) acc = (acc % TWO_32) + Math.floor(acc / TWO_32);
  }
  if (i + 2 <= n) {
    acc += bytes[i] | (bytes[i + 1] << 8);
    i += 2;
  }
  if (i < n) acc += bytes[i];
  while (acc >= TWO_32) acc = (acc % TWO_32) + Math.floor(acc / TWO_32);
  return csumAdd(acc, seed);
}

/** `csum_replace_by_diff`: the checksum `sum` after its data changed by the partial sum `diff`. */
export function csumReplaceByDiff(sum: number, diff: number): number {
  return csumFold(csumAdd(diff, ~(sum & 0xffff) >>> 0));
}

/** `csum_replace4`: the checksum `sum` after a 32-bit word changed from `from` to `to`. */
export function csumReplace4(sum: number, from: number, to: number): number {
  return csumFold(csumAdd(csumSub(~(sum & 0xffff) >>> 0, from), to));
}

/** `csum_replace2`: the checksum `sum` after a 16-bit word changed from `from` to `to`. */
export function csumReplace2(sum: number, from: number, to: number): number {
  return ~csum16Add(csum16Add(~sum & 0xffff, ~from & 0xffff), to) & 0xffff;
}
