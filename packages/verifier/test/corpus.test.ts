import { describe, expect, it } from 'vitest';
import { strict, VERIFY_CODES } from '../src/index.js';
import { MBUFF } from './corpus/hosts.js';
import { NEGATIVE_CASES } from './corpus/negative.js';
import { CLANG_NEXT_BYTE_LOOP, POSITIVE_CASES } from './corpus/positive.js';
import { asm } from './helpers/program.js';

describe('strict: negative corpus', () => {
  it('has at least 80 programs and covers every strict rule', () => {
    expect(NEGATIVE_CASES.length).toBeGreaterThanOrEqual(80);
    const covered = new Set(NEGATIVE_CASES.map((c) => c.code));
    for (const name of Object.keys(VERIFY_CODES)) {
      if (VERIFY_CODES[name as keyof typeof VERIFY_CODES] >= 5100)
        expect(covered.has(name), name).toBe(true);
    }
  });

  it.each(NEGATIVE_CASES.map((c) => [c.name, c] as const))('refuses: %s', (_name, c) => {
    const result = strict(c.options).verify({ bytes: asm(c.src), host: c.host });
    expect(result.ok).toBe(false);
    const found = result.problems.map((p) => `${p.codeName}@${p.pc}`);
    expect(found).toContain(`${c.code}@${c.pc}`);
    const problem = result.problems.find((p) => p.codeName === c.code)!;
    expect(problem.message.length).toBeGreaterThan(15);
    if (problem.pc !== undefined) expect(problem.text).toBeTruthy();
  });
});

describe('strict: positive corpus', () => {
  it('has at least 40 programs', () => {
    expect(POSITIVE_CASES.length).toBeGreaterThanOrEqual(40);
  });

  it.each(POSITIVE_CASES.map((c) => [c.name, c] as const))('accepts: %s', (_name, c) => {
    const result = strict(c.options).verify({ bytes: asm(c.src), host: c.host });
    expect(
      result.problems.map(
        (p) => `${p.codeName}@${p.pc}: ${p.message} [${p.text}] {${p.state?.join('; ')}}`,
      ),
    ).toEqual([]);
  });
});

describe('strict: unrolling', () => {
  it('the merging pass alone refuses the clang next-byte loop; the unrolled retry accepts it', () => {
    const bytes = asm(CLANG_NEXT_BYTE_LOOP);
    const merged = strict({ unroll: 0 }).verify({ bytes, host: MBUFF });
    expect(merged.problems.map((p) => p.codeName)).toContain('VERIFY_PACKET_UNCHECKED');
    expect(strict().verify({ bytes, host: MBUFF }).ok).toBe(true);
    // Too few iterations kept apart: the merged state of the rest is refused again.
    expect(strict({ unroll: 4 }).verify({ bytes, host: MBUFF }).ok).toBe(false);
  });
});
