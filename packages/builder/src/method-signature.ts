/**
 * How the typed methods are named and what they take, derived from the instruction table so that
 * every form has a method and no method is retyped by hand.
 *
 * - The name is the form's mnemonic in camelCase (`add64`, `jeq32`, `ldxdw`, `atomicFetchAdd64`,
 *   `callLocal`). An imm/reg pair sharing a mnemonic shares a method, and the operand's type
 *   picks the form (`add64(r1, 2)`, `add64(r1, r2)`); other forms sharing a mnemonic differ in
 *   meaning (lddw's source subtypes) and get a method each, named after the form (`lddwMapFd`).
 * - The parameters are the form's operand fields: registers, then the offset, then the immediate
 *   (`ldxw(dst, src, off)`, `jeq(dst, source, target)`), except that a store names its memory
 *   operand first (`stxw(dst, off, src)`, `stw(dst, off, imm)`).
 */
import { OPCODE_TABLE, type OpcodeRow } from '@ebpf/isa';
import { hasNextImm } from './form-roles.js';

/**
 * One parameter of a typed method: an operand field, `source` (a register or an immediate, which
 * picks the reg or imm form) or `nextImm` (the upper half of a map-value lddw).
 */
export type MethodParameter = 'dst' | 'src' | 'off' | 'imm' | 'source' | 'nextImm';

function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

const byMnemonic = new Map<string, OpcodeRow[]>();
for (const row of OPCODE_TABLE) {
  const list = byMnemonic.get(row.mnemonic);
  if (list) list.push(row);
  else byMnemonic.set(row.mnemonic, [row]);
}

const names: string[] = [];
const mixedSource = new Uint8Array(OPCODE_TABLE.length);
for (const row of OPCODE_TABLE) {
  const siblings = byMnemonic.get(row.mnemonic)!;
  const sources = new Set(siblings.map((s) => s.source));
  // An imm/reg pair is one method (the operand's type picks the form); other forms that share a
  // mnemonic differ in meaning and get a method each, named after the form.
  const pair = siblings.length === 2 && sources.has('imm') && sources.has('reg');
  names[row.id] = camelCase(siblings.length === 1 || pair ? row.mnemonic : row.name);
  mixedSource[row.id] = pair ? 1 : 0;
}

/** Registers first, then the offset, then the immediate: `ldxw(dst, src, off)`, `jeq(dst, source, off)`. */
const RANK: Readonly<Record<MethodParameter, number>> = {
  dst: 0,
  src: 1,
  source: 1,
  off: 2,
  imm: 3,
  nextImm: 4,
};

/**
 * The typed method that emits `row`.
 *
 * @example
 * methodNameOf(rowByName('atomic_fetch_add64')); // 'atomicFetchAdd64'
 * methodNameOf(rowByName('lddw_map_fd')); // 'lddwMapFd'
 */
export function methodNameOf(row: OpcodeRow): string {
  return names[row.id];
}

/**
 * The parameters of the typed method that emits `row`, in order.
 *
 * @example
 * methodParameters(rowByName('jeq_imm')); // ['dst', 'source', 'off']
 * methodParameters(rowByName('stxw')); // ['dst', 'off', 'src']
 */
export function methodParameters(row: OpcodeRow): readonly MethodParameter[] {
  const params: MethodParameter[] = row.uses
    .map((f) => (mixedSource[row.id] === 1 && (f === 'src' || f === 'imm') ? 'source' : f))
    .sort((a, b) => RANK[a] - RANK[b]);
  if (hasNextImm(row)) params.push('nextImm');
  // A store's memory operand comes first, as in `*(dst + off) = src`.
  if (row.kind === 'store' || row.kind === 'atomic') {
    return ['dst', 'off', ...params.filter((p) => p !== 'dst' && p !== 'off')];
  }
  return params;
}

/** Every typed method's name with the rows it can emit (two for an imm/reg pair, else one). */
export const METHOD_ROWS: ReadonlyMap<string, readonly OpcodeRow[]> = (() => {
  const out = new Map<string, OpcodeRow[]>();
  for (const row of OPCODE_TABLE) {
    const list = out.get(methodNameOf(row));
    if (list) list.push(row);
    else out.set(methodNameOf(row), [row]);
  }
  return out;
})();
