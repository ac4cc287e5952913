import { describe, expect, it } from 'vitest';
import { strict, structural } from '../src/index.js';
import { loadConformance } from './helpers/conformance.js';

const cases = loadConformance();

describe('bpf_conformance tests/', () => {
  it('are all loaded (313 programs)', () => {
    expect(cases).toHaveLength(313);
  });

  it.each(cases.map((c) => [c.name, c] as const))(
    'structural accepts %s (callx group enabled)',
    (_name, c) => {
      const result = structural.verify({
        bytes: c.bytes,
        host: { groups: ['base64', 'atomic64', 'divmul64', 'callx'] },
      });
      expect(result.problems).toEqual([]);
      expect(result.ok).toBe(true);
    },
  );
});

describe('strict on bpf_conformance tests/', () => {
  const verifier = strict();
  it.each(cases.map((c) => [c.name, c] as const))('strict accepts %s', (_name, c) => {
    const result = verifier.verify({
      bytes: c.bytes,
      host: {
        groups: ['base64', 'atomic64', 'divmul64', 'callx'],
        context: { size: c.memLength, input: true },
      },
    });
    expect(result.problems).toEqual([]);
  });
});
