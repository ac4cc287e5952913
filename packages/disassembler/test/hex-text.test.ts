import { isEbpfError } from '@ebpf/isa';
import { describe, expect, it } from 'vitest';
import { DISASM_HEX_SYNTAX, parseHexSlots } from '../src/index.js';

describe('parseHexSlots', () => {
  it('reads one slot per line in memory order, skipping blanks and comments', () => {
    const bytes = parseHexSlots('# sum\nb700000001000000\n\n  95 00 00 00 00 00 00 00  # exit\n');
    expect(Array.from(bytes)).toEqual([0xb7, 0, 0, 0, 1, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]);
  });

  it.each([
    ['9500000000000000\nb7000000010000', 2, 1],
    ['ok\n', 1, 1],
    ['9500000000000000\n  b70000000100000g', 2, 18],
    ['b7000000010000000000', 1, 1],
  ])('rejects %j at line %i, column %i', (text, line, column) => {
    let error: unknown;
    try {
      parseHexSlots(text);
    } catch (e) {
      error = e;
    }
    expect(isEbpfError(error, DISASM_HEX_SYNTAX)).toBe(true);
    const ctx = (error as { context: { line: number; column: number } }).context;
    expect([ctx.line, ctx.column]).toEqual([line, column]);
    expect((error as Error).message).toContain(`line ${line}, column ${column}`);
  });
});
