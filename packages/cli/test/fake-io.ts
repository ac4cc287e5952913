import type { CliIo } from '../src/io.js';

/** An in-memory CliIo: captured stdout/stderr, files from a map, writes into it. */
export function fakeIo(files: Record<string, Uint8Array | string> = {}): CliIo & {
  out(): string;
  err(): string;
  files: Map<string, Uint8Array | string>;
} {
  let stdout = '';
  let stderr = '';
  const store = new Map(Object.entries(files));
  return {
    stdout: {
      write: (t) => {
        stdout += t;
      },
      isTTY: false,
    },
    stderr: {
      write: (t) => {
        stderr += t;
      },
    },
    async readFile(path) {
      const data = store.get(path);
      if (data === undefined) {
        throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), {
          code: 'ENOENT',
          path,
        });
      }
      return typeof data === 'string' ? new TextEncoder().encode(data) : data;
    },
    async writeFile(path, data) {
      store.set(path, data);
    },
    cwd: '/',
    out: () => stdout,
    err: () => stderr,
    files: store,
  };
}
