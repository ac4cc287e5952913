/**
 * The builder is complete over the ISA table: every row has a typed method (and `emit`) that
 * produces exactly that row, and the typed methods TypeScript knows are exactly the ones made at
 * run time from the table.
 */
import {
  BUILDER_UNKNOWN_FORM,
  type InstructionMethodName,
  labelField,
  METHOD_ROWS,
  type MethodParameter,
  methodNameOf,
  methodParameters,
  ProgramBuilder,
} from '@ebpf/builder';
import { decode, isEbpfError, OPCODE_TABLE, type OpcodeRow, type RowKind } from '@ebpf/isa';
import { describe, expect, it } from 'vitest';

/**
 * Every method name the `InstructionMethods` type declares, with the kind of row it emits.
 * `satisfies` makes TypeScript reject a name the type lacks and a missing one; the test below
 * compares the keys with the methods made from the table. (Listed once from METHOD_ROWS.)
 */
const DECLARED = {
  add32: 'alu',
  sub32: 'alu',
  mul32: 'alu',
  div32: 'alu',
  sdiv32: 'alu',
  or32: 'alu',
  and32: 'alu',
  lsh32: 'alu',
  rsh32: 'alu',
  mod32: 'alu',
  smod32: 'alu',
  xor32: 'alu',
  mov32: 'alu',
  arsh32: 'alu',
  neg32: 'neg',
  add64: 'alu',
  sub64: 'alu',
  mul64: 'alu',
  div64: 'alu',
  sdiv64: 'alu',
  or64: 'alu',
  and64: 'alu',
  lsh64: 'alu',
  rsh64: 'alu',
  mod64: 'alu',
  smod64: 'alu',
  xor64: 'alu',
  mov64: 'alu',
  arsh64: 'alu',
  neg64: 'neg',
  movsx832: 'movsx',
  movsx1632: 'movsx',
  movsx864: 'movsx',
  movsx1664: 'movsx',
  movsx3264: 'movsx',
  le16: 'endian',
  le32: 'endian',
  le64: 'endian',
  be16: 'endian',
  be32: 'endian',
  be64: 'endian',
  bswap16: 'endian',
  bswap32: 'endian',
  bswap64: 'endian',
  ja: 'ja',
  ja32: 'ja',
  jeq: 'jcond',
  jgt: 'jcond',
  jge: 'jcond',
  jset: 'jcond',
  jne: 'jcond',
  jsgt: 'jcond',
  jsge: 'jcond',
  jlt: 'jcond',
  jle: 'jcond',
  jslt: 'jcond',
  jsle: 'jcond',
  jeq32: 'jcond',
  jgt32: 'jcond',
  jge32: 'jcond',
  jset32: 'jcond',
  jne32: 'jcond',
  jsgt32: 'jcond',
  jsge32: 'jcond',
  jlt32: 'jcond',
  jle32: 'jcond',
  jslt32: 'jcond',
  jsle32: 'jcond',
  call: 'call',
  callLocal: 'call',
  callBtf: 'call',
  callx: 'callx',
  exit: 'exit',
  ldxb: 'load',
  ldxsb: 'load',
  stb: 'store',
  stxb: 'store',
  ldxh: 'load',
  ldxsh: 'load',
  sth: 'store',
  stxh: 'store',
  ldxw: 'load',
  ldxsw: 'load',
  stw: 'store',
  stxw: 'store',
  ldxdw: 'load',
  stdw: 'store',
  stxdw: 'store',
  atomicAdd32: 'atomic',
  atomicOr32: 'atomic',
  atomicAnd32: 'atomic',
  atomicXor32: 'atomic',
  atomicFetchAdd32: 'atomic',
  atomicFetchOr32: 'atomic',
  atomicFetchAnd32: 'atomic',
  atomicFetchXor32: 'atomic',
  atomicXchg32: 'atomic',
  atomicCmpxchg32: 'atomic',
  atomicAdd64: 'atomic',
  atomicOr64: 'atomic',
  atomicAnd64: 'atomic',
  atomicXor64: 'atomic',
  atomicFetchAdd64: 'atomic',
  atomicFetchOr64: 'atomic',
  atomicFetchAnd64: 'atomic',
  atomicFetchXor64: 'atomic',
  atomicXchg64: 'atomic',
  atomicCmpxchg64: 'atomic',
  lddw: 'lddw',
  lddwMapFd: 'lddw',
  lddwMapValueFd: 'lddw',
  lddwVarAddr: 'lddw',
  lddwCodeAddr: 'lddw',
  lddwMapIdx: 'lddw',
  lddwMapValueIdx: 'lddw',
  ldabsb: 'packet',
  ldabsh: 'packet',
  ldabsw: 'packet',
  ldindb: 'packet',
  ldindh: 'packet',
  ldindw: 'packet',
} as const satisfies Record<InstructionMethodName, RowKind>;

type Invoke = (...args: unknown[]) => ProgramBuilder;

function method(builder: ProgramBuilder, name: string): Invoke {
  const fn = (builder as unknown as Record<string, unknown>)[name];
  if (typeof fn !== 'function') throw new Error(`no method ${name}`);
  return (fn as Invoke).bind(builder);
}

/** Sample arguments for one typed call that must produce `row`. */
function sampleArgs(row: OpcodeRow): unknown[] {
  const sample: Record<MethodParameter, unknown> = {
    dst: 'r3',
    src: 'r4',
    off: -7,
    imm: row.uses.includes('off') && row.kind !== 'ja' ? 0x1234 : 5,
    source: row.source === 'reg' ? 'r4' : -2,
    nextImm: 9,
  };
  return methodParameters(row).map((p) => sample[p]);
}

describe('completeness over OPCODE_TABLE', () => {
  it('declares (in types) exactly the methods made from the table', () => {
    expect(Object.keys(DECLARED).sort()).toEqual([...METHOD_ROWS.keys()].sort());
    for (const [name, rows] of METHOD_ROWS) {
      expect(rows.every((r) => r.kind === DECLARED[name as InstructionMethodName])).toBe(true);
    }
  });

  it('gives every row a method, and every method at most an imm/reg pair of rows', () => {
    for (const row of OPCODE_TABLE) expect(METHOD_ROWS.get(methodNameOf(row))).toContain(row);
    for (const rows of METHOD_ROWS.values()) {
      expect(rows.length === 1 || new Set(rows.map((r) => r.source)).size === rows.length).toBe(
        true,
      );
    }
  });

  for (const row of OPCODE_TABLE) {
    it(`${row.name}: ${methodNameOf(row)}(${methodParameters(row).join(', ')}) emits that form`, () => {
      const b = new ProgramBuilder();
      method(b, methodNameOf(row))(...sampleArgs(row));
      const insns = decode(b.toBytes(), { strict: true });
      expect(insns).toHaveLength(1);
      expect(insns[0].row.name).toBe(row.name);
      expect(b.pc).toBe(row.slots);
    });
  }

  for (const row of OPCODE_TABLE) {
    it(`${row.name}: emit by name gives the same bytes as the typed method`, () => {
      const typed = new ProgramBuilder();
      method(typed, methodNameOf(row))(...sampleArgs(row));
      const [insn] = typed.toInsns();
      const operands: Record<string, unknown> = {};
      for (const field of row.uses) {
        const value =
          field === 'imm' && row.slots === 2 && !labelField(row) ? insn.imm64 : insn[field];
        operands[field] = field === 'dst' || field === 'src' ? `r${value}` : value;
      }
      const byName = new ProgramBuilder().emit(row.name, operands);
      expect([...byName.toBytes()]).toEqual([...typed.toBytes()]);
    });
  }

  it('rejects a name that is no form of the table', () => {
    let caught: unknown;
    try {
      new ProgramBuilder().emit('add65_imm', { dst: 'r1', imm: 1 });
    } catch (e) {
      caught = e;
    }
    expect(isEbpfError(caught, BUILDER_UNKNOWN_FORM)).toBe(true);
  });
});
