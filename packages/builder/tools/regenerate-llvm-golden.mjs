#!/usr/bin/env node
/**
 * Regenerates the byte column of test/goldens/llvm-mc.tsv with LLVM's assembler, the outside
 * oracle for the builder's encodings. Each row of the file names a form, the operands the builder
 * is given (`-` for fields the form does not use) and the same instruction in LLVM syntax; this
 * script assembles the LLVM column with `llvm-mc-19 -triple bpfel -mcpu=v4 -show-encoding` and
 * writes the bytes LLVM gives into the last column. The test (test/llvm-golden.test.ts) builds
 * each row with the builder and compares. LLVM is not needed to run the tests.
 *
 *   node packages/builder/tools/regenerate-llvm-golden.mjs           # rewrite the golden
 *   node packages/builder/tools/regenerate-llvm-golden.mjs --check   # exit 1 if it would change
 *
 * Without llvm-mc-19 on PATH the script says so and exits 0 (CI machines without LLVM).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const LLVM_MC = process.env.LLVM_MC ?? 'llvm-mc-19';
const golden = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'test',
  'goldens',
  'llvm-mc.tsv',
);
const check = process.argv.includes('--check');

const text = readFileSync(golden, 'utf8');
const lines = text.split('\n');
const header = lines.filter((l) => l.startsWith('#'));
const rows = lines.filter((l) => l.length > 0 && !l.startsWith('#')).map((l) => l.split('\t'));

let output;
try {
  output = execFileSync(LLVM_MC, ['-triple', 'bpfel', '-mcpu=v4', '-show-encoding'], {
    input: `${rows.map((r) => r[5]).join('\n')}\n`,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
  });
} catch (e) {
  if (e.code === 'ENOENT') {
    console.log(`${LLVM_MC} not found: golden left as it is`);
    process.exit(0);
  }
  console.error(e.stderr || e.message);
  process.exit(1);
}

const encodings = [...output.matchAll(/# encoding: \[([^\]]*)\]/g)].map((m) =>
  m[1]
    .split(',')
    .map((b) => b.trim().replace(/^0x/, ''))
    .join(' '),
);
if (encodings.length !== rows.length) {
  console.error(`llvm-mc gave ${encodings.length} encodings for ${rows.length} lines`);
  process.exit(1);
}
const body = rows.map((r, i) => [...r.slice(0, 6), encodings[i]].join('\t'));
const next = `${[...header, ...body].join('\n')}\n`;
if (check) {
  if (next !== text) {
    console.error('test/goldens/llvm-mc.tsv is stale: run tools/regenerate-llvm-golden.mjs');
    process.exit(1);
  }
  console.log('llvm-mc golden up to date');
} else {
  writeFileSync(golden, next);
  console.log(`wrote ${rows.length} encodings to ${golden}`);
}
