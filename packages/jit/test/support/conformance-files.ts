import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assemble, parseConformanceData, rawToBytes } from '@ebpf/assembler';

/** The shared bpf_conformance data files. */
export const CONFORMANCE_DIR = join(import.meta.dirname, '../../../../../shared/conformance/tests');

/** One conformance test, assembled. */
export interface ConformanceCase {
  readonly file: string;
  readonly bytes: Uint8Array;
  readonly mem: Uint8Array | undefined;
  readonly result: bigint | undefined;
}

/** Every test file in the suite, assembled, sorted by name. */
export function loadConformanceCases(): ConformanceCase[] {
  return readdirSync(CONFORMANCE_DIR)
    .filter((f) => f.endsWith('.data'))
    .sort()
    .map((file) => {
      const test = parseConformanceData(readFileSync(join(CONFORMANCE_DIR, file), 'utf8'));
      const bytes = test.raw
        ? rawToBytes(test.raw)
        : assemble(test.asm ?? '', { firstLine: test.asmFirstLine });
      return { file, bytes, mem: test.mem, result: test.result };
    });
}
