import { runConformanceProgram } from '@ebpf/vm';
import { describe, expect, it } from 'vitest';
import { createJit } from '../src/index.js';
import { loadConformanceCases } from './support/conformance-files.js';

const cases = loadConformanceCases();
const jit = createJit({ warmUp: 'never' });

describe('bpf_conformance suite through the JIT', () => {
  it('has all 313 tests', () => {
    expect(cases.length).toBe(313);
  });
  for (const c of cases) {
    it(`${c.file} gives the expected r0 and the interpreter's instruction count`, () => {
      const viaJit = runConformanceProgram(c.bytes, c.mem, { engine: 'jit', jit });
      const viaInterp = runConformanceProgram(c.bytes, c.mem);
      expect(viaJit.r0).toBe(c.result);
      expect(viaJit.insnCount).toBe(viaInterp.insnCount);
    });
  }
});
