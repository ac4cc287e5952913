/** Test helper: the bpf_conformance `.data` files, assembled with @ebpf/assembler. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assemble, parseConformanceData, rawToBytes } from '@ebpf/assembler';

export const CONFORMANCE_TESTS = fileURLToPath(
  new URL('../../../../../shared/conformance/tests', import.meta.url),
);

export interface ConformanceCase {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** Input memory length (0 when the file has no `-- mem`). */
  readonly memLength: number;
  readonly mem: Uint8Array;
  readonly result: bigint | undefined;
}

/** Every conformance test, assembled. */
export function loadConformance(): ConformanceCase[] {
  return readdirSync(CONFORMANCE_TESTS)
    .filter((f) => f.endsWith('.data'))
    .sort()
    .map((file) => {
      const d = parseConformanceData(readFileSync(join(CONFORMANCE_TESTS, file), 'utf8'));
      const bytes = d.raw
        ? rawToBytes(d.raw)
        : assemble(d.asm ?? '', { firstLine: d.asmFirstLine });
      const mem = d.mem ?? new Uint8Array(0);
      return {
        name: file.replace(/\.data$/, ''),
        bytes,
        memLength: mem.length,
        mem,
        result: d.result,
      };
    });
}
