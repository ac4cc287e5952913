/**
 * The random source behind `bpf_get_prandom_u32`: deterministic by default, so runs repeat.
 */

/** A source of unsigned 32-bit integers. */
export type RandomSource = () => number;

/**
 * A seeded generator of u32s: a Weyl sequence mixed by a 32-bit finaliser (fast, well spread,
 * not cryptographic, as the kernel's `prandom` is not).
 *
 * @example
 * const next = createSeededRandom(42);
 * next(); // the same u32 on every run with seed 42
 */
export function createSeededRandom(seed = 0): RandomSource {
  let state = Number.isFinite(seed) ? Math.trunc(seed) >>> 0 : 0;
  return () => {
    state = (state + 0x9e37_79b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85eb_ca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2_ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}
