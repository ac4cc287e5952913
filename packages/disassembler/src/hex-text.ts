import { DISASM_HEX_SYNTAX, DisasmError } from './disasm-errors.js';

/**
 * Reads the hex text form of a program: one 8-byte slot per line as 16 hex digits in memory order
 * (`b700000001000000`). Blank lines and `#` comments are skipped; spaces between the digits are
 * allowed (`b7 00 00 00 01 00 00 00`).
 *
 * @throws DisasmError (DISASM_HEX_SYNTAX) naming the line and column of the first bad line.
 * @example
 * parseHexSlots('b700000001000000\n9500000000000000\n'); // 16 bytes
 */
export function parseHexSlots(text: string): Uint8Array {
  const bytes: number[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const code = raw.replace(/#.*/, '');
    const digits = code.replace(/\s+/g, '');
    if (digits === '') continue;
    const badAt = code.search(/[^0-9a-fA-F\s]/);
    if (badAt >= 0 || digits.length !== 16) {
      const column = badAt >= 0 ? badAt + 1 : code.search(/\S/) + 1;
      throw new DisasmError(DISASM_HEX_SYNTAX, { line: i + 1, column, text: raw.trim() });
    }
    for (let j = 0; j < 16; j += 2) bytes.push(Number.parseInt(digits.slice(j, j + 2), 16));
  }
  return new Uint8Array(bytes);
}
