/**
 * The six real example objects (clang-19, `examples/`) pass the strict verifier with the host
 * declaration `instantiate` builds (maps, kernel helper prototypes, the section's context), and so
 * do the firewall builds for other CPU versions in `tools/fixtures/elf`.
 */
import { readFileSync } from 'node:fs';
import { isEbpfError } from '@ebpf/isa';
import { strict } from '@ebpf/vm';
import { describe, expect, it } from 'vitest';
import { instantiate, loadBpfObject } from '../src/index.js';

const load = (path: string) =>
  loadBpfObject(new Uint8Array(readFileSync(new URL(`../../../${path}`, import.meta.url))));

/** The problems strict finds in every program of the object (none when accepted). */
function strictProblems(path: string): string[] {
  try {
    instantiate(load(path), { verifier: strict() });
    return [];
  } catch (e) {
    if (!isEbpfError(e)) throw e;
    const problems = (e as { problems?: { pc: number; codeName: string; message: string }[] })
      .problems;
    return (problems ?? [{ pc: e.pc ?? -1, codeName: e.codeName, message: e.message }]).map(
      (p) => `${p.pc}: ${p.codeName} ${p.message}`,
    );
  }
}

const EXAMPLES = [
  'examples/xdp-firewall/xdp_firewall.o',
  'examples/percpu-counter/percpu_counter.o',
  'examples/tc-rewrite/tc_rewrite.o',
  'examples/ringbuf-events/ringbuf_events.o',
  'examples/tail-call-dispatch/tail_call_dispatch.o',
  'examples/calls-and-globals/calls_globals.o',
  'tools/fixtures/elf/xdp-firewall.o',
  'tools/fixtures/elf/xdp-firewall.v1.o',
  'tools/fixtures/elf/xdp-firewall.v4.o',
];

describe('strict accepts the real clang-compiled objects', () => {
  for (const path of EXAMPLES) {
    it(path, () => {
      expect(strictProblems(path)).toEqual([]);
    });
  }
});
