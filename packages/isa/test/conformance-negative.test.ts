import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DecodeError, decode, ISA_RESERVED_FIELD, ISA_UNKNOWN_VARIANT } from '../src/index.js';

const NEGATIVE = fileURLToPath(new URL('../../../../shared/conformance/negative', import.meta.url));

/** The byte-wise `-- raw` section of a bpf_conformance negative file (8 hex bytes per line). */
function rawBytes(text: string): Uint8Array {
  const lines = text.split('\n').map((l) => l.replace(/#.*/, '').trim());
  const start = lines.findIndex((l) => l.startsWith('--') && l.includes('raw'));
  const bytes: number[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('--')) break;
    for (const tok of line.split(/\s+/).filter(Boolean)) bytes.push(Number.parseInt(tok, 16));
  }
  return new Uint8Array(bytes);
}

describe('bpf_conformance negative/unused-* files', () => {
  const files = readdirSync(NEGATIVE).filter((f) => f.startsWith('unused-'));

  it('are all present (45 files)', () => {
    expect(files).toHaveLength(45);
  });

  it.each(files)('%s: is rejected by strict decoding, naming the field', (file) => {
    const bytes = rawBytes(readFileSync(join(NEGATIVE, file), 'utf8'));
    let error: unknown;
    try {
      decode(bytes, { strict: true });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DecodeError);
    // The file name says which field: unused-<insn>-<field>.data
    const field = file
      .replace(/\.data$/, '')
      .split('-')
      .at(-1);
    const expected = { dst: 'dst', src: 'src', offset: 'off', imm: 'imm' }[field!];
    const e = error as DecodeError<typeof ISA_RESERVED_FIELD | typeof ISA_UNKNOWN_VARIANT>;
    // A non-zero field is "reserved" unless it is the one that tells forms apart (mov's offset
    // selects movsx): then no form has that value.
    expect([ISA_RESERVED_FIELD, ISA_UNKNOWN_VARIANT]).toContain(e.code);
    expect(e.context.field).toBe(expected);
    if (e.code === ISA_RESERVED_FIELD) expect(decode(bytes).length).toBeGreaterThan(0);
  });
});
