import { readFile, writeFile } from 'node:fs/promises';
import type { CliIo } from './io.js';

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

/** The real streams and file system. */
export function nodeIo(): CliIo {
  return {
    stdout: { write: (t) => void process.stdout.write(t), isTTY: process.stdout.isTTY },
    stderr: { write: (t) => void process.stderr.write(t), isTTY: process.stderr.isTTY },
    readFile: async (path) => (path === '-' ? readStdin() : new Uint8Array(await readFile(path))),
    writeFile: (path, data) => writeFile(path, data),
    cwd: process.cwd(),
  };
}
