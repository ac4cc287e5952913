import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assemble, parseConformanceData, rawToBytes } from '@ebpf/assembler';
import { describe, expect, it } from 'vitest';
import { runConformanceProgram } from '../src/index.js';

const DIR = join(import.meta.dirname, '../../../../shared/conformance/tests');
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.data'))
  .sort();

describe('bpf_conformance suite through the interpreter', () => {
  it('has all 313 tests', () => {
    expect(files.length).toBe(313);
  });
  for (const file of files) {
    it(file, () => {
      const test = parseConformanceData(readFileSync(join(DIR, file), 'utf8'));
      const bytes = test.raw
        ? rawToBytes(test.raw)
        : assemble(test.asm ?? '', { firstLine: test.asmFirstLine });
      const { r0 } = runConformanceProgram(bytes, test.mem);
      expect(r0).toBe(test.result);
    });
  }
});
