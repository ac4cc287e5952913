/**
 * Check hoisting of indexed accesses (`bounded-indexes.ts`): which accesses the analysis proves,
 * and, on both engines, that loops whose range check at entry fails (a limit past the buffer, a
 * start before it, a constant start past it, a read-only region, a budget that runs out) fault or
 * stop at the same instruction with the same count as the interpreter.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assemble } from '@ebpf/assembler';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findIndexedAccesses } from '../src/bounded-indexes.js';
import { buildFunctionGraph, findLeaders } from '../src/control-flow-graph.js';
import { modelProgram } from '../src/program-model.js';
import { analyzeGraph } from '../src/structure.js';
import { runBothEngines } from './support/differential.js';

const big = (_k: string, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v);

/** The provable accesses of the function at slot `entry` of `bytes`, by slot. */
function provable(bytes: Uint8Array, entry = 0) {
  const model = modelProgram(bytes);
  const graph = buildFunctionGraph(model, findLeaders(model), entry);
  return findIndexedAccesses(model, graph, analyzeGraph(graph.blocks).rpo);
}

/** Runs on both engines (with the budget, then unmetered) and requires identical outcomes. */
function agree(bytes: Uint8Array, mem: Uint8Array, budget = 100_000) {
  const { interp, jit, jitUnmetered } = runBothEngines(bytes, mem, budget);
  expect(JSON.stringify(jit, big)).toBe(JSON.stringify(interp, big));
  if (jitUnmetered) expect(JSON.stringify(jitUnmetered, big)).toBe(JSON.stringify(interp, big));
  return interp;
}

describe('the analysis', () => {
  it('proves the sieve benchmark’s mark and count accesses, not the clear loop’s', () => {
    const text = readFileSync(
      join(import.meta.dirname, '../../../../shared/bench/sieve.asm'),
      'utf8',
    ).replace(/#.*$/gm, '');
    const bytes = assemble(text);
    const found = provable(bytes);
    const model = modelProgram(bytes);
    const ops = [...found.keys()].map((pc) => model.rows[pc]!.op);
    expect(ops.sort()).toEqual(['ldx', 'st']);
    for (const a of found.values()) expect([a.base, a.limit]).toEqual([1, 2]);
  });

  it('proves nothing when the base changes, the function calls out, or no limit is compared', () => {
    const loop = (extra: string, cmp = 'jlt %r5, %r2, loop') =>
      assemble(
        `mov %r5, 0\nloop:\nmov %r3, %r1\nadd %r3, %r5\nldxb %r0, [%r3]\n${extra}\nadd %r5, 1\n${cmp}\nexit`,
      );
    expect(provable(loop('')).size).toBe(1);
    expect(provable(loop('add %r1, 1')).size).toBe(0);
    expect(provable(loop('call 5')).size).toBe(0);
    expect(provable(loop('', 'jne %r5, %r2, loop')).size).toBe(0);
    expect(provable(loop('', 'jslt %r5, %r2, loop')).size).toBe(0);
  });
});

/**
 * A caller sets the callee's base (r1 + delta) and limit, then the callee loops `i` from `start`
 * by `step` while `i < limit` over `[base + i + off]`, loading or storing `size` bytes.
 */
function indexedLoop(o: {
  delta: number;
  limit: bigint;
  start: number;
  step: number;
  off: number;
  size: 1 | 2 | 4 | 8;
  store: boolean;
  whileLoop: boolean;
}): Uint8Array {
  const sz = { 1: 'b', 2: 'h', 4: 'w', 8: 'dw' }[o.size];
  const access = o.store
    ? `st${sz} [%r3+${o.off}], 7`
    : `ldx${sz} %r7, [%r3+${o.off}]\nadd %r0, %r7`;
  const body = `mov %r3, %r1\nadd %r3, %r5\n${access}\nadd %r5, ${o.step}`;
  const fn = o.whileLoop
    ? `fn:\nmov %r5, ${o.start}\ntop:\njge %r5, %r2, done\n${body}\nja top\ndone:\nexit`
    : `fn:\nmov %r5, ${o.start}\nloop:\n${body}\njlt %r5, %r2, loop\nexit`;
  return assemble(
    `lddw %r2, ${o.limit}\nadd %r1, ${o.delta}\nmov %r0, 0\ncall local fn\nexit\n${fn}`,
  );
}

describe('both engines agree on hoisted loops', () => {
  const mem = Uint8Array.from({ length: 48 }, (_, i) => i * 5 + 1);
  it('in bounds, a limit past the end, a constant start past the end', () => {
    const base = {
      delta: 0,
      start: 0,
      step: 1,
      off: 0,
      size: 1 as 1 | 2 | 4 | 8,
      store: false,
      whileLoop: false,
    };
    const cases = [
      { ...base, limit: 48n },
      { ...base, limit: 49n },
      { ...base, limit: 48n, start: 50 },
      { ...base, limit: 2n ** 32n + 3n },
      { ...base, limit: 40n, delta: -1 },
      { ...base, limit: 40n, off: 4, size: 4 as const, store: true },
    ];
    const kinds = cases.map((c) => {
      const bytes = indexedLoop(c);
      expect(provable(bytes, 6).size).toBe(1);
      return agree(bytes, mem).kind;
    });
    expect(kinds).toEqual(['ok', 'error', 'error', 'error', 'error', 'ok']);
  });

  it('budgets that run out inside a hoisted loop stop at the same instruction', () => {
    const bytes = indexedLoop({
      delta: 0,
      limit: 48n,
      start: 0,
      step: 1,
      off: 0,
      size: 1,
      store: true,
      whileLoop: true,
    });
    for (const budget of [10, 57, 100, 200]) expect(agree(bytes, mem, budget).kind).toBe('error');
  });

  it('random loops (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.record({
          delta: fc.integer({ min: -4, max: 8 }),
          limit: fc.oneof(fc.bigInt({ min: 0n, max: 60n }), fc.constant(2n ** 32n + 1n)),
          start: fc.integer({ min: 0, max: 56 }),
          step: fc.integer({ min: 1, max: 5 }),
          off: fc.integer({ min: 0, max: 12 }),
          size: fc.constantFrom(1 as const, 2 as const, 4 as const, 8 as const),
          store: fc.boolean(),
          whileLoop: fc.boolean(),
        }),
        (o) => {
          agree(indexedLoop(o), mem, 5_000);
        },
      ),
      { numRuns: 120 },
    );
  });
});
