/** Reading the committed LLVM goldens (see tools/llvm-goldens/generate.mjs). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const GOLDENS_DIR = fileURLToPath(new URL('./goldens/', import.meta.url));

export interface GoldenLine {
  readonly lineNo: number;
  readonly hex: string;
  readonly bytes: Uint8Array;
  readonly text: string;
  /** llvm-display.txt only: what llvm-mc-19 assembles the text to, or `(rejected)`. */
  readonly back?: string;
}

export function hexToBytes(hex: string): Uint8Array {
  return new Uint8Array(hex.match(/../g)!.map((b) => Number.parseInt(b, 16)));
}

/** The `<hex>\t<text>[\t<back>]` lines of a golden file. */
export function readGoldenLines(file: string): GoldenLine[] {
  const lines = readFileSync(`${GOLDENS_DIR}${file}`, 'utf8').split('\n');
  const out: GoldenLine[] = [];
  lines.forEach((line, i) => {
    if (line === '' || line.startsWith('#')) return;
    const [hex, ...rest] = line.split('\t');
    // ld_pseudo's text holds a tab itself: `ld_pseudo\tr1, 0x1, 0x5`.
    const back = file === 'llvm-display.txt' ? rest.pop() : undefined;
    out.push({
      lineNo: i + 1,
      hex,
      bytes: hexToBytes(hex),
      text: rest.join('\t'),
      ...(back ? { back } : {}),
    });
  });
  return out;
}

export interface ObjdumpInsn {
  readonly index: number;
  readonly hex: string;
  readonly text: string;
}

/** The instruction lines of `llvm-objdump -d` output by section, without ` <sym+off>` notes. */
export function parseObjdump(text: string): Map<string, ObjdumpInsn[]> {
  const sections = new Map<string, ObjdumpInsn[]>();
  let current: ObjdumpInsn[] | undefined;
  for (const line of text.split('\n')) {
    const sec = /^Disassembly of section (.*):$/.exec(line);
    if (sec) {
      current = [];
      sections.set(sec[1], current);
      continue;
    }
    const m = /^\s*(\d+):\t((?:[0-9a-f]{2} ?)+)\t(.*)$/.exec(line);
    if (m && current) {
      current.push({
        index: Number(m[1]),
        hex: m[2].replace(/ /g, ''),
        text: m[3].replace(/ <[^<>]*>$/, ''),
      });
    }
  }
  return sections;
}
