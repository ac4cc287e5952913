/**
 * uBPF's ratios to native C on the same four programs, from the shared bench folder's
 * RESULTS-ubpf-baseline.md (uBPF 2a8edd11e00f, whole-process wall time, this machine kind).
 * Printed beside ours for comparison.
 */
export const UBPF_BASELINE: Readonly<
  Record<string, { readonly interp: number; readonly jit: number }>
> = Object.freeze({
  alu_loop: { interp: 38, jit: 1.09 },
  mem_checksum: { interp: 60, jit: 1.3 },
  collatz: { interp: 29, jit: 1.22 },
  sieve: { interp: 76, jit: 1.8 },
});
