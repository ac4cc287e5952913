/**
 * A consistency check run with every benchmark: our assembler, given the `.asm` text, must give
 * exactly the bytes of the `.bin` that is timed.
 */
import { assemble } from '@ebpf/assembler';
import type { Benchmark } from './bench-suite.js';

/**
 * Whether `assemble(bench.source)` equals `bench.program`: `'same'`, `'no-source'`, or what
 * differs (the first differing slot, or the assembler's error).
 *
 * @example
 * checkSource(bench); // 'same'
 */
export function checkSource(bench: Benchmark): 'same' | 'no-source' | string {
  if (bench.source === null) return 'no-source';
  let bytes: Uint8Array;
  try {
    bytes = assemble(bench.source, { syntax: 'rbpf' });
  } catch (e) {
    return `${bench.name}.asm does not assemble: ${(e as Error).message.split('\n')[0]}`;
  }
  const slots = Math.max(bytes.length, bench.program.length) / 8;
  for (let slot = 0; slot < slots; slot++) {
    const a = bytes.subarray(slot * 8, slot * 8 + 8);
    const b = bench.program.subarray(slot * 8, slot * 8 + 8);
    if (a.length !== b.length || a.some((v, i) => v !== b[i])) {
      return `${bench.name}.asm assembles to other bytes than the .bin, from slot ${slot}`;
    }
  }
  return 'same';
}
