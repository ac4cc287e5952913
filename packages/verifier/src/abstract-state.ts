/**
 * What the dataflow verifier knows at one point of a program: for each active call frame, the
 * kind and value of every register and of every stack byte; and how many packet bytes a bounds
 * check has proven readable.
 */
import { STACK_FRAME_SIZE } from '@ebpf/isa';
import {
  equalScalar,
  formatScalar,
  joinScalar,
  type Scalar,
  scalarValue,
  widenScalar,
} from './scalar.js';

/** Memory a pointer can point into. */
export type Region = 'ctx' | 'stack' | 'packet' | 'packet_end' | 'map_value' | 'map' | 'mem';

/** A register's (or spilled stack slot's) abstract value. */
export type AbstractValue =
  | { readonly kind: 'uninit'; readonly clobbered?: boolean; readonly released?: boolean }
  /** Different kinds on paths that met; unusable until written. */
  | { readonly kind: 'mixed' }
  | { readonly kind: 'scalar'; readonly value: Scalar }
  | PointerValue;

/** A pointer: region, offset range, and for nullable ones the id shared by their copies. */
export interface PointerValue {
  readonly kind: 'ptr';
  readonly region: Region;
  readonly offset: Scalar;
  /** Stack: frame index (0 = entry frame). Map and map value: the map id. Else 0. */
  readonly owner: number;
  /** Bytes in the region (stack: one frame; packet: unknown, 0). */
  readonly size: number;
  /** May be null (a map lookup result not checked yet). */
  readonly nullable: boolean;
  /**
   * Identity shared by copies: of a nullable pointer (until checked), or of the variable part of
   * a packet pointer (0: none).
   */
  readonly id: number;
  /** Packet pointers with an `id`: the constant added to the shared variable part. */
  readonly delta?: number;
  /**
   * A reference a helper acquired (`HelperPrototype.acquires`, e.g. a ring-buffer record): it
   * must be released (`releases`) on every path before exit, and is unusable after (0: none).
   */
  readonly ref?: number;
}

/** What a pointer holds after the helper that released its reference (its memory is gone). */
export const RELEASED: AbstractValue = Object.freeze({ kind: 'uninit', released: true });
/** No reference held. */
export const NO_REFS: readonly number[] = Object.freeze([]);

/** A register or slot never written. */
export const UNINIT: AbstractValue = Object.freeze({ kind: 'uninit' });
/** What r1-r5 hold after a call: nothing, because the call clobbered them. */
export const CLOBBERED: AbstractValue = Object.freeze({ kind: 'uninit', clobbered: true });
/** Incompatible kinds met at a join. */
export const MIXED: AbstractValue = Object.freeze({ kind: 'mixed' });

/** A scalar register value. */
export function scalarValueOf(value: Scalar): AbstractValue {
  return { kind: 'scalar', value };
}

/** One 8-byte stack slot: a spilled register, or bytes of which `init` (bit i = byte i) are written. */
export type StackSlot =
  | { readonly kind: 'spill'; readonly value: AbstractValue }
  | { readonly kind: 'bytes'; readonly init: number };

/** A stack slot with no byte written. */
export const EMPTY_SLOT: StackSlot = Object.freeze({ kind: 'bytes', init: 0 });
/** 8-byte slots in one stack frame. */
export const STACK_SLOTS = STACK_FRAME_SIZE / 8;

/** One call frame. */
export interface Frame {
  readonly regs: AbstractValue[];
  /** Slot i covers bytes [-(i+1)*8, -i*8) below the frame pointer. */
  readonly stack: StackSlot[];
}

/** The state at one program point. */
export interface AbstractState {
  readonly frames: Frame[];
  /** Packet bytes [0, packetRange) proven inside the packet. */
  packetRange: number;
  /**
   * For packet pointers whose offset has a variable part (by id): bytes proven past that part.
   * Replaced, never changed in place (states share it).
   */
  packetRanges: ReadonlyMap<number, number>;
  /** Acquired references not released yet on some path (sorted ids; see `PointerValue.ref`). */
  refs: readonly number[];
}

/** No packet range proven for any variable offset. */
export const NO_PACKET_RANGES: ReadonlyMap<number, number> = new Map();

/** A deep-enough copy to mutate (values are immutable, arrays are not). */
export function cloneState(s: AbstractState): AbstractState {
  return {
    frames: s.frames.map((f) => ({ regs: f.regs.slice(), stack: f.stack.slice() })),
    packetRange: s.packetRange,
    packetRanges: s.packetRanges,
    refs: s.refs,
  };
}

function equalValue(a: AbstractValue, b: AbstractValue): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind) return false;
  if (a.kind === 'scalar') return equalScalar(a.value, (b as typeof a).value);
  if (a.kind === 'ptr') {
    const p = b as PointerValue;
    return (
      a.region === p.region &&
      a.owner === p.owner &&
      a.size === p.size &&
      a.nullable === p.nullable &&
      a.id === p.id &&
      a.delta === p.delta &&
      a.ref === p.ref &&
      equalScalar(a.offset, p.offset)
    );
  }
  return true;
}

function joinValue(
  a: AbstractValue,
  b: AbstractValue,
  widen: readonly bigint[] | undefined,
): AbstractValue {
  if (a === b) return a;
  if (a.kind === 'uninit' || b.kind === 'uninit') return UNINIT;
  if (a.kind === 'mixed' || b.kind === 'mixed') return MIXED;
  if (a.kind === 'scalar' && b.kind === 'scalar') {
    return {
      kind: 'scalar',
      value: widen ? widenScalar(a.value, b.value, widen) : joinScalar(a.value, b.value),
    };
  }
  if (a.kind === 'ptr' && b.kind === 'ptr') {
    if (a.region !== b.region || a.owner !== b.owner || a.size !== b.size || a.ref !== b.ref) {
      return MIXED;
    }
    return {
      ...a,
      offset: widen ? widenScalar(a.offset, b.offset, widen) : joinScalar(a.offset, b.offset),
      nullable: a.nullable || b.nullable,
      ...(a.id === b.id && a.delta === b.delta ? {} : { id: 0, delta: undefined }),
    };
  }
  // A null-checked pointer's null branch (scalar 0) meeting the pointer: still a nullable pointer.
  const [p, s] = a.kind === 'ptr' ? [a, b] : [b as PointerValue, a];
  if (
    s.kind === 'scalar' &&
    scalarValue(s.value) === 0n &&
    (p.region === 'map_value' || p.region === 'mem')
  ) {
    return { ...p, nullable: true, id: 0 };
  }
  return MIXED;
}

function joinSlot(a: StackSlot, b: StackSlot, widen: readonly bigint[] | undefined): StackSlot {
  if (a === b) return a;
  if (a.kind === 'spill' && b.kind === 'spill') {
    const v = joinValue(a.value, b.value, widen);
    if (v.kind === 'scalar' || v.kind === 'ptr') return { kind: 'spill', value: v };
    return { kind: 'bytes', init: 0 };
  }
  const initOf = (s: StackSlot) =>
    s.kind === 'bytes' ? s.init : s.value.kind === 'scalar' ? 0xff : 0;
  return { kind: 'bytes', init: initOf(a) & initOf(b) };
}

/**
 * The state after either path; frames must match in number. With `widen` (thresholds, see
 * `widenScalar`), bounds that moved are widened so that loops converge. With `at` (the join
 * point's instruction index), packet pointers whose variable parts differ between the paths get
 * a shared variable part of their own (see {@link pairPacketPointers}), as the kernel's
 * path-by-path walk would keep each path's `id` and range.
 */
export function joinState(
  a: AbstractState,
  b: AbstractState,
  widen?: readonly bigint[],
  at?: number,
): AbstractState {
  const joined: AbstractState = {
    frames: a.frames.map((fa, i) => {
      const fb = b.frames[i];
      return {
        regs: fa.regs.map((v, r) => joinValue(v, fb.regs[r], widen)),
        stack: fa.stack.map((slot, k) => joinSlot(slot, fb.stack[k], widen)),
      };
    }),
    packetRange: Math.min(a.packetRange, b.packetRange),
    packetRanges: joinRanges(a.packetRanges, b.packetRanges),
    refs: joinRefs(a.refs, b.refs),
  };
  if (at !== undefined) pairPacketPointers(a, b, joined, at, widen !== undefined);
  return joined;
}

/** First id of the variable parts made where paths meet (above every `pc + 1`). */
const JOIN_ID_BASE = 2 ** 32;
/** Register and stack locations per frame, for the ids of joined variable parts. */
const LOCATIONS_PER_FRAME = 11 + STACK_SLOTS;

/** A packet pointer as (variable part, constant past it): id 0 is the packet start itself. */
function varPartOf(v: AbstractValue | undefined): readonly [number, number] | undefined {
  if (v?.kind !== 'ptr' || v.region !== 'packet') return undefined;
  if (v.id !== 0 && v.delta !== undefined) return [v.id, v.delta];
  const k = scalarValue(v.offset);
  return k === undefined ? undefined : [0, Number(BigInt.asIntN(64, k))];
}

/**
 * Where two paths meet, packet pointers whose variable parts differ (`p = data + x` on one path,
 * `p = data + 54` on the other) are grouped by (part on path a, part on path b, difference of
 * their constants): each group becomes one new variable part `V` (on path a the old part, on
 * path b the old part plus the difference), so copies stay related, and the bytes proven past
 * `V` are the smaller of the two paths' proofs. A group's id is fixed by the join point and the
 * group's first location, so repeated joins (loops) converge; when widening, a proof that
 * shrank is dropped.
 */
function pairPacketPointers(
  a: AbstractState,
  b: AbstractState,
  out: AbstractState,
  at: number,
  widening: boolean,
): void {
  type Group = { id: number; range: number | undefined };
  const kept = new Set<number>();
  const groups = new Map<string, Group>();
  /** Frame, location (register, or 11 + stack slot), group key, constant past the new part. */
  const assign: [number, number, string, number][] = [];
  const rangeOf = (s: AbstractState, id: number) =>
    id === 0 ? s.packetRange : s.packetRanges.get(id);
  for (let i = 0; i < out.frames.length; i++) {
    const fa = a.frames[i];
    const fb = b.frames[i];
    const n = fa.regs.length + fa.stack.length;
    for (let l = 0; l < n; l++) {
      const va = l < 11 ? fa.regs[l] : spilled(fa.stack[l - 11]);
      const vb = l < 11 ? fb.regs[l] : spilled(fb.stack[l - 11]);
      const pa = varPartOf(va);
      if (!pa) continue;
      const pb = varPartOf(vb);
      if (!pb) continue;
      if (pa[0] === pb[0] && pa[1] === pb[1]) {
        if (pa[0] !== 0) kept.add(pa[0]);
        continue;
      }
      const diff = pb[1] - pa[1];
      const key = `${pa[0]},${pb[0]},${diff}`;
      const loc = i * LOCATIONS_PER_FRAME + l;
      if (loc >= 65536) continue;
      if (!groups.has(key)) {
        const ra = rangeOf(a, pa[0]);
        const rb = rangeOf(b, pb[0]);
        const range = ra === undefined || rb === undefined ? undefined : Math.min(ra, rb - diff);
        groups.set(key, { id: JOIN_ID_BASE + at * 65536 + loc, range });
      }
      assign.push([i, l, key, pa[1]]);
    }
  }
  if (assign.length === 0) return;
  let ranges: Map<number, number> | undefined;
  for (const [i, l, key, delta] of assign) {
    const g = groups.get(key)!;
    if (kept.has(g.id)) continue;
    const f = out.frames[i];
    const v = l < 11 ? f.regs[l] : spilled(f.stack[l - 11]);
    if (v?.kind !== 'ptr') continue;
    const paired: AbstractValue = { ...v, id: g.id, delta };
    if (l < 11) f.regs[l] = paired;
    else f.stack[l - 11] = { kind: 'spill', value: paired };
    ranges ??= new Map(out.packetRanges);
    const before = a.packetRanges.get(g.id);
    const shrank = widening && (before === undefined || (g.range ?? 0) < before);
    if (g.range !== undefined && g.range > 0 && !shrank) ranges.set(g.id, g.range);
    else ranges.delete(g.id);
  }
  if (ranges) out.packetRanges = ranges;
}

function spilled(slot: StackSlot | undefined): AbstractValue | undefined {
  return slot?.kind === 'spill' ? slot.value : undefined;
}

/** References held on either path (a path that may still hold one must release it). */
function joinRefs(a: readonly number[], b: readonly number[]): readonly number[] {
  if (a === b || b.length === 0) return a;
  if (a.length === 0) return b;
  const all = [...new Set([...a, ...b])].sort((x, y) => x - y);
  return all.length === a.length ? a : all;
}

function joinRanges(
  a: ReadonlyMap<number, number>,
  b: ReadonlyMap<number, number>,
): ReadonlyMap<number, number> {
  if (a === b) return a;
  if (a.size === 0 || b.size === 0) return NO_PACKET_RANGES;
  const out = new Map<number, number>();
  for (const [id, n] of a) {
    const m = b.get(id);
    if (m !== undefined) out.set(id, Math.min(n, m));
  }
  return out;
}

/** Whether two states say the same. */
export function equalState(a: AbstractState, b: AbstractState): boolean {
  if (a.packetRange !== b.packetRange || a.frames.length !== b.frames.length) return false;
  if (a.refs !== b.refs && a.refs.join() !== b.refs.join()) return false;
  if (a.packetRanges !== b.packetRanges) {
    if (a.packetRanges.size !== b.packetRanges.size) return false;
    for (const [id, n] of a.packetRanges) if (b.packetRanges.get(id) !== n) return false;
  }
  for (let i = 0; i < a.frames.length; i++) {
    const fa = a.frames[i];
    const fb = b.frames[i];
    for (let r = 0; r < fa.regs.length; r++) if (!equalValue(fa.regs[r], fb.regs[r])) return false;
    for (let k = 0; k < fa.stack.length; k++) {
      const x = fa.stack[k];
      const y = fb.stack[k];
      if (x === y) continue;
      if (x.kind !== y.kind) return false;
      if (x.kind === 'bytes' && x.init !== (y as typeof x).init) return false;
      if (x.kind === 'spill' && !equalValue(x.value, (y as typeof x).value)) return false;
    }
  }
  return true;
}

/** A value as the verifier log shows it: `scalar(0..10)`, `ctx(off=8)`, `fp-16`. */
export function formatValue(v: AbstractValue): string {
  switch (v.kind) {
    case 'uninit':
      return 'uninitialised';
    case 'mixed':
      return 'mixed (different kinds on different paths)';
    case 'scalar':
      return `scalar(${formatScalar(v.value)})`;
    case 'ptr': {
      const off = scalarValue(v.offset);
      const offText = off === undefined ? formatScalar(v.offset) : `${BigInt.asIntN(64, off)}`;
      const name = v.region === 'stack' ? `fp${v.owner > 0 ? `[frame ${v.owner}]` : ''}` : v.region;
      const extra = [
        `off=${offText}`,
        ...(v.region === 'packet' && v.id !== 0 ? [`var#${v.id}+${v.delta ?? 0}`] : []),
        ...(v.region === 'map' || v.region === 'map_value' ? [`map=${v.owner}`] : []),
        ...(v.ref ? [`ref#${v.ref}`] : []),
        ...(v.size > 0 && v.region !== 'stack' ? [`size=${v.size}`] : []),
      ];
      return `${name}${v.nullable ? '_or_null' : ''}(${extra.join(',')})`;
    }
  }
}

/** The current frame's registers (those holding something) and written stack, one per line. */
export function formatState(s: AbstractState): string[] {
  const f = s.frames[s.frames.length - 1];
  const out: string[] = [];
  f.regs.forEach((v, r) => {
    if (v.kind !== 'uninit') out.push(`r${r} = ${formatValue(v)}`);
  });
  f.stack.forEach((slot, k) => {
    if (slot.kind === 'spill') out.push(`fp-${(k + 1) * 8} = ${formatValue(slot.value)}`);
    else if (slot.init !== 0) {
      out.push(
        `fp-${(k + 1) * 8} = ${slot.init === 0xff ? 'written bytes' : `bytes written: mask 0x${slot.init.toString(16)}`}`,
      );
    }
  });
  if (s.packetRange > 0) out.push(`packet bytes proven: ${s.packetRange}`);
  for (const [id, n] of s.packetRanges) out.push(`packet bytes proven past var#${id}: ${n}`);
  if (s.refs.length > 0) out.push(`references held: ${s.refs.map((r) => `#${r}`).join(', ')}`);
  if (s.frames.length > 1) out.push(`call depth: ${s.frames.length}`);
  return out;
}
