/**
 * Lookups derived from {@link OPCODE_TABLE}, never retyped: by opcode byte, by name, by mnemonic,
 * and overlays that keep only the rows a CPU version and a set of conformance groups allow.
 */
import {
  type ConformanceGroup,
  type CpuVersion,
  compareCpu,
  DEFAULT_GROUPS,
  expandGroups,
  LATEST_CPU,
} from './groups.js';
import { OPCODE_TABLE, type OpcodeRow } from './opcode-table.js';

function groupBy<K>(rows: readonly OpcodeRow[], key: (r: OpcodeRow) => K): Map<K, OpcodeRow[]> {
  const out = new Map<K, OpcodeRow[]>();
  for (const row of rows) {
    const k = key(row);
    const list = out.get(k);
    if (list) list.push(row);
    else out.set(k, [row]);
  }
  return out;
}

const byOpcode = groupBy(OPCODE_TABLE, (r) => r.opcode);

/** The rows of each opcode byte (an empty list for bytes that are no instruction). */
export const ROWS_BY_OPCODE: readonly (readonly OpcodeRow[])[] = Object.freeze(
  Array.from({ length: 256 }, (_, op) => Object.freeze(byOpcode.get(op) ?? [])),
);

/** Rows by their unique name (`add64_imm`). */
export const ROWS_BY_NAME: ReadonlyMap<string, OpcodeRow> = new Map(
  OPCODE_TABLE.map((r) => [r.name, r]),
);

/** Rows by mnemonic (`add64` gives the imm and reg forms). */
export const ROWS_BY_MNEMONIC: ReadonlyMap<string, readonly OpcodeRow[]> = groupBy(
  OPCODE_TABLE,
  (r) => r.mnemonic,
);

/** Whether the slot fields select `row` among the rows sharing its opcode. */
export function matchesRow(row: OpcodeRow, src: number, off: number, imm: number): boolean {
  const m = row.match;
  return (
    (m.src === undefined || m.src === src) &&
    (m.off === undefined || m.off === off) &&
    (m.imm === undefined || m.imm === imm)
  );
}

/**
 * The form an instruction slot encodes, or `undefined` when the opcode byte is no instruction or
 * its discriminating field holds a value no form has.
 */
export function lookupRow(
  opcode: number,
  src: number,
  off: number,
  imm: number,
): OpcodeRow | undefined {
  const rows = ROWS_BY_OPCODE[opcode & 0xff];
  for (let i = 0; i < rows.length; i++) {
    if (matchesRow(rows[i], src, off, imm)) return rows[i];
  }
  return undefined;
}

/** Looks a row up by its unique name; throws a plain `Error` on a name not in the table (a bug). */
export function rowByName(name: string): OpcodeRow {
  const row = ROWS_BY_NAME.get(name);
  if (!row) throw new Error(`no instruction form named ${JSON.stringify(name)}`);
  return row;
}

export interface OpcodeSetOptions {
  /** The newest CPU version allowed (default: v4, every instruction). */
  readonly cpu?: CpuVersion;
  /** Enabled conformance groups, included groups implied (default: base64, atomic64, divmul64). */
  readonly groups?: Iterable<ConformanceGroup>;
}

/** The instruction forms one host accepts: an overlay on the table, not a copy of it. */
export interface OpcodeSet {
  readonly cpu: CpuVersion;
  readonly groups: ReadonlySet<ConformanceGroup>;
  readonly rows: readonly OpcodeRow[];
  has(row: OpcodeRow): boolean;
  /** Like {@link lookupRow}, but only among the allowed forms. */
  lookup(opcode: number, src: number, off: number, imm: number): OpcodeRow | undefined;
}

/**
 * The forms a CPU version and a set of conformance groups allow.
 *
 * @example
 * const v3 = opcodes({ cpu: 'v3', groups: ['base64', 'atomic64', 'divmul64'] });
 * v3.has(rowByName('sdiv64_imm')); // false: signed division came with v4
 */
export function opcodes(options: OpcodeSetOptions = {}): OpcodeSet {
  const cpu = options.cpu ?? LATEST_CPU;
  const groups = expandGroups(options.groups ?? DEFAULT_GROUPS);
  const allowed = new Uint8Array(OPCODE_TABLE.length);
  const rows = OPCODE_TABLE.filter((r) => groups.has(r.group) && compareCpu(r.cpu, cpu) <= 0);
  for (const r of rows) allowed[r.id] = 1;
  return Object.freeze({
    cpu,
    groups,
    rows: Object.freeze(rows),
    has: (row: OpcodeRow) => allowed[row.id] === 1,
    lookup(opcode: number, src: number, off: number, imm: number) {
      const row = lookupRow(opcode, src, off, imm);
      return row && allowed[row.id] === 1 ? row : undefined;
    },
  });
}
