import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPCODE_TABLE } from '@ebpf/isa';
import { describe, expect, it } from 'vitest';
import { INTERP_OPCODES, interpOpcodeOf, SpecialOp } from '../src/interp-opcodes.js';
import { predecode } from '../src/predecode.js';
import { insOf, program } from './support/program.js';

const source = readFileSync(join(import.meta.dirname, '../src/interpreter.ts'), 'utf8');
/** `case N: // name` (or `case N: {` and `// name` on the next line) in the interpreter's switch. */
const cases = [...source.matchAll(/^\s*case (\d+):(?: \{\n\s*| )\/\/ (.+)$/gm)].map((m) => ({
  n: Number(m[1]),
  names: m[2].split(',').map((s) => s.trim()),
}));

describe('the interpreter is complete over the ISA table', () => {
  it('every row has an interpreter opcode', () => {
    for (const row of OPCODE_TABLE) expect(interpOpcodeOf(row), row.name).toBeTypeOf('number');
  });
  it('no interpreter opcode names a form the table lacks', () => {
    const names = new Set(OPCODE_TABLE.map((r) => r.name));
    for (const name of Object.keys(INTERP_OPCODES)) expect(names.has(name), name).toBe(true);
  });
  it("each case's number in the switch agrees with its form's interpreter opcode", () => {
    const byNumber = new Map<number, string[]>();
    for (const c of cases) byNumber.set(c.n, c.names);
    for (const row of OPCODE_TABLE) {
      const n = INTERP_OPCODES[row.name];
      expect(byNumber.get(n), `${row.name} (case ${n})`).toContain(row.name);
    }
  });
  it('special codes sit after every form code and each has a case', () => {
    const max = Math.max(...Object.values(INTERP_OPCODES));
    for (const code of Object.values(SpecialOp)) {
      expect(code).toBeGreaterThan(max);
      expect(cases.some((c) => c.n === code)).toBe(true);
    }
  });
  it('pre-decodes every row to its interpreter opcode', () => {
    for (const row of OPCODE_TABLE) {
      const bytes = program(insOf(row, { dst: 1, src: row.match.src ?? 2, imm64: 1n }));
      expect(predecode(bytes)[0], row.name).toBe(INTERP_OPCODES[row.name]);
    }
  });
});
