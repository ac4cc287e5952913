/**
 * NUL-terminated names out of ELF and BTF string tables, bounded so that a hostile table costs
 * at most {@link MAX_NAME_LENGTH} bytes per name to read.
 */

// The core packages compile without DOM or Node types; TextDecoder is nonetheless a global of
// every runtime they target (Node, Deno, Bun, browsers).
declare const TextDecoder: new (label?: string) => { decode(input: Uint8Array): string };

/**
 * Longest name the loader reads, in bytes, without its terminating NUL. The kernel caps BTF and
 * symbol names at 512 bytes (`KSYM_NAME_LEN`); the cap keeps a hostile string table from making
 * every symbol's name a long string of its own.
 */
export const MAX_NAME_LENGTH = 1024;

const utf8 = new TextDecoder('utf-8');

/**
 * Reads the NUL-terminated UTF-8 name at `offset` in `table`. Returns the name, or `{ error }`
 * saying why not: the offset is outside the table, the name has no NUL before the table's end,
 * or it is longer than {@link MAX_NAME_LENGTH}.
 *
 * @example
 * decodeName(new Uint8Array([0, 0x78, 0x64, 0x70, 0]), 1); // 'xdp'
 */
export function decodeName(table: Uint8Array, offset: number): string | { readonly error: string } {
  if (!Number.isInteger(offset) || offset < 0 || offset >= table.length) {
    return { error: `offset ${offset} is outside the table (${table.length} bytes)` };
  }
  const limit = Math.min(table.length, offset + MAX_NAME_LENGTH + 1);
  let end = offset;
  while (end < limit && table[end] !== 0) end++;
  if (end === limit) {
    return {
      error:
        limit === table.length
          ? `name at offset ${offset} runs past the end of the table`
          : `name at offset ${offset} is longer than ${MAX_NAME_LENGTH} bytes`,
    };
  }
  return utf8.decode(table.subarray(offset, end));
}

/** Decodes UTF-8 text; invalid sequences become U+FFFD. */
export function decodeUtf8(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}
