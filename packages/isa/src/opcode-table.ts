/**
 * THE instruction set: one frozen row per opcode form of RFC 9669 (the IANA "BPF Instruction
 * Set" registry), plus `callx` and the legacy packet loads. Every other table in the toolkit
 * (lookups, mnemonics, the interpreter's dispatch, the JIT's lowerings, the verifier's rules) is
 * derived from or checked against this one.
 *
 * A "form" is an opcode byte plus, where the byte alone does not decide the instruction, the value
 * of one discriminating field (`match`): the offset for div/sdiv, mod/smod and mov/movsx, the
 * immediate for byte swaps and atomics, the source register for `lddw` and `call`.
 *
 * Groups and CPU versions: groups follow RFC 9669; CPU versions follow LLVM's `-mcpu` levels as
 * bpf_conformance computes them.
 */
import type { ConformanceGroup, CpuVersion } from './groups.js';
import {
  AluOp,
  AtomicOp,
  CallSrc,
  JmpOp,
  Lddw,
  Mode,
  OpClass,
  type OpClassName,
  Size,
  Source,
} from './opcode-fields.js';

/** What family an instruction belongs to; engines dispatch on it. */
export type RowKind =
  | 'alu'
  | 'neg'
  | 'movsx'
  | 'endian'
  | 'ja'
  | 'jcond'
  | 'call'
  | 'callx'
  | 'exit'
  | 'load'
  | 'store'
  | 'atomic'
  | 'lddw'
  | 'packet';

/** An instruction field that carries an operand. Fields that are neither operands nor `match` must be zero. */
export type OperandField = 'dst' | 'src' | 'off' | 'imm';

/** ALU operations with a second operand (register or immediate). */
export type AluBinaryOp =
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'sdiv'
  | 'or'
  | 'and'
  | 'lsh'
  | 'rsh'
  | 'mod'
  | 'smod'
  | 'xor'
  | 'mov'
  | 'arsh';

/** Conditional jump operations. */
export type JumpCondOp =
  | 'jeq'
  | 'jgt'
  | 'jge'
  | 'jset'
  | 'jne'
  | 'jsgt'
  | 'jsge'
  | 'jlt'
  | 'jle'
  | 'jslt'
  | 'jsle';

/** The operation of a row, without width or source. */
export type RowOp =
  | AluBinaryOp
  | 'neg'
  | 'movsx'
  | 'le'
  | 'be'
  | 'bswap'
  | 'ja'
  | JumpCondOp
  | 'call'
  | 'call_local'
  | 'call_btf'
  | 'callx'
  | 'exit'
  | 'ldx'
  | 'ldxs'
  | 'st'
  | 'stx'
  | 'atomic_add'
  | 'atomic_or'
  | 'atomic_and'
  | 'atomic_xor'
  | 'atomic_fetch_add'
  | 'atomic_fetch_or'
  | 'atomic_fetch_and'
  | 'atomic_fetch_xor'
  | 'atomic_xchg'
  | 'atomic_cmpxchg'
  | 'lddw'
  | 'ldabs'
  | 'ldind';

export interface OpcodeRow {
  /** Dense index of the row in {@link OPCODE_TABLE}; stable within a release, handy for dispatch. */
  readonly id: number;
  /** Unique name of the form, such as `add64_imm`, `jeq32_reg`, `lddw_map_fd`. */
  readonly name: string;
  /** rbpf-style mnemonic (several forms can share one): `add64`, `jeq32`, `ldxdw`, `lddw`. */
  readonly mnemonic: string;
  readonly opcode: number;
  readonly cls: OpClassName;
  readonly kind: RowKind;
  readonly op: RowOp;
  /** Whether the second operand is the immediate, a register, or absent. */
  readonly source: 'imm' | 'reg' | 'none';
  /** Operation width in bits: 32 for ALU, JMP32 and 32-bit atomics; 64 otherwise. */
  readonly width: 32 | 64;
  /** Bytes read or written in memory; 0 when the row is no memory access. */
  readonly size: 0 | 1 | 2 | 4 | 8;
  /** For movsx the source width, for byte swaps the swapped width, in bits; else 0. */
  readonly bits: 0 | 8 | 16 | 32 | 64;
  /** Field values that select this form among the rows sharing its opcode. */
  readonly match: Readonly<Partial<Record<OperandField, number>>>;
  /** Fields that carry operands. */
  readonly uses: readonly OperandField[];
  readonly group: ConformanceGroup;
  readonly cpu: CpuVersion;
  /** Instruction slots the form takes: 2 for `lddw`, else 1. */
  readonly slots: 1 | 2;
}

type RowSpec = Omit<OpcodeRow, 'id' | 'match' | 'uses' | 'bits' | 'size' | 'slots'> &
  Partial<Pick<OpcodeRow, 'match' | 'uses' | 'bits' | 'size' | 'slots'>>;

const specs: RowSpec[] = [];

// --- ALU and ALU64 -------------------------------------------------------------------------
type AluGroupKind = 'base' | 'divmul';
const aluBinary: ReadonlyArray<readonly [AluBinaryOp, number, AluGroupKind, CpuVersion, number?]> =
  [
    ['add', AluOp.ADD, 'base', 'v1'],
    ['sub', AluOp.SUB, 'base', 'v1'],
    ['mul', AluOp.MUL, 'divmul', 'v1'],
    ['div', AluOp.DIV, 'divmul', 'v1', 0],
    ['sdiv', AluOp.DIV, 'divmul', 'v4', 1],
    ['or', AluOp.OR, 'base', 'v1'],
    ['and', AluOp.AND, 'base', 'v1'],
    ['lsh', AluOp.LSH, 'base', 'v1'],
    ['rsh', AluOp.RSH, 'base', 'v1'],
    ['mod', AluOp.MOD, 'divmul', 'v1', 0],
    ['smod', AluOp.MOD, 'divmul', 'v4', 1],
    ['xor', AluOp.XOR, 'base', 'v1'],
    ['mov', AluOp.MOV, 'base', 'v1', 0],
    ['arsh', AluOp.ARSH, 'base', 'v1'],
  ];
for (const width of [32, 64] as const) {
  const cls = width === 32 ? 'ALU' : 'ALU64';
  const clsBits = OpClass[cls];
  for (const [op, code, groupKind, cpu, off] of aluBinary) {
    for (const source of ['imm', 'reg'] as const) {
      specs.push({
        name: `${op}${width}_${source}`,
        mnemonic: `${op}${width}`,
        opcode: code | (source === 'imm' ? Source.K : Source.X) | clsBits,
        cls,
        kind: 'alu',
        op,
        source,
        width,
        // Only the register form of mov has a sibling (movsx); its immediate form's offset is reserved.
        match: off === undefined || (op === 'mov' && source === 'imm') ? {} : { off },
        uses: source === 'imm' ? ['dst', 'imm'] : ['dst', 'src'],
        group: `${groupKind}${width}`,
        cpu,
      });
    }
  }
  specs.push({
    name: `neg${width}`,
    mnemonic: `neg${width}`,
    opcode: AluOp.NEG | clsBits,
    cls,
    kind: 'neg',
    op: 'neg',
    source: 'none',
    width,
    uses: ['dst'],
    group: `base${width}`,
    cpu: 'v1',
  });
}
// Sign-extending moves: the offset names the source width (RFC 9669, section 4.1).
for (const [width, bits] of [
  [32, 8],
  [32, 16],
  [64, 8],
  [64, 16],
  [64, 32],
] as const) {
  const cls = width === 32 ? 'ALU' : 'ALU64';
  specs.push({
    name: `movsx${bits}${width}`,
    mnemonic: `movsx${bits}${width}`,
    opcode: AluOp.MOV | Source.X | OpClass[cls],
    cls,
    kind: 'movsx',
    op: 'movsx',
    source: 'reg',
    width,
    bits,
    match: { off: bits },
    uses: ['dst', 'src'],
    group: `base${width}`,
    cpu: 'v4',
  });
}
// Byte swaps: ALU with K (to little-endian) or X (to big-endian); ALU64 with K swaps always.
for (const [op, opcode, cls, cpu] of [
  ['le', AluOp.END | Source.K | OpClass.ALU, 'ALU', 'v1'],
  ['be', AluOp.END | Source.X | OpClass.ALU, 'ALU', 'v1'],
  ['bswap', AluOp.END | Source.K | OpClass.ALU64, 'ALU64', 'v4'],
] as const) {
  for (const bits of [16, 32, 64] as const) {
    specs.push({
      name: `${op}${bits}`,
      mnemonic: `${op}${bits}`,
      opcode,
      cls,
      kind: 'endian',
      op,
      source: 'none',
      width: 64,
      bits,
      match: { imm: bits },
      uses: ['dst'],
      group: bits === 64 ? 'base64' : 'base32',
      cpu,
    });
  }
}

// --- JMP and JMP32 -------------------------------------------------------------------------
specs.push({
  name: 'ja',
  mnemonic: 'ja',
  opcode: JmpOp.JA | OpClass.JMP,
  cls: 'JMP',
  kind: 'ja',
  op: 'ja',
  source: 'none',
  width: 64,
  uses: ['off'],
  group: 'base32',
  cpu: 'v1',
});
specs.push({
  name: 'ja32',
  mnemonic: 'ja32',
  opcode: JmpOp.JA | OpClass.JMP32,
  cls: 'JMP32',
  kind: 'ja',
  op: 'ja',
  source: 'none',
  width: 32,
  uses: ['imm'],
  group: 'base32',
  cpu: 'v4',
});
const conditional: ReadonlyArray<readonly [JumpCondOp, number, CpuVersion]> = [
  ['jeq', JmpOp.JEQ, 'v1'],
  ['jgt', JmpOp.JGT, 'v1'],
  ['jge', JmpOp.JGE, 'v1'],
  ['jset', JmpOp.JSET, 'v1'],
  ['jne', JmpOp.JNE, 'v1'],
  ['jsgt', JmpOp.JSGT, 'v1'],
  ['jsge', JmpOp.JSGE, 'v1'],
  ['jlt', JmpOp.JLT, 'v2'],
  ['jle', JmpOp.JLE, 'v2'],
  ['jslt', JmpOp.JSLT, 'v2'],
  ['jsle', JmpOp.JSLE, 'v2'],
];
for (const width of [64, 32] as const) {
  const cls = width === 64 ? 'JMP' : 'JMP32';
  for (const [op, code, cpu] of conditional) {
    for (const source of ['imm', 'reg'] as const) {
      specs.push({
        name: `${op}${width === 32 ? '32' : ''}_${source}`,
        mnemonic: `${op}${width === 32 ? '32' : ''}`,
        opcode: code | (source === 'imm' ? Source.K : Source.X) | OpClass[cls],
        cls,
        kind: 'jcond',
        op,
        source,
        width,
        uses: source === 'imm' ? ['dst', 'off', 'imm'] : ['dst', 'src', 'off'],
        group: width === 64 ? 'base64' : 'base32',
        cpu: width === 64 ? cpu : 'v3',
      });
    }
  }
}
for (const [op, src, cpu] of [
  ['call', CallSrc.HELPER, 'v1'],
  ['call_local', CallSrc.LOCAL, 'v3'],
  ['call_btf', CallSrc.HELPER_BTF, 'v3'],
] as const) {
  specs.push({
    name: op,
    mnemonic: op,
    opcode: JmpOp.CALL | OpClass.JMP,
    cls: 'JMP',
    kind: 'call',
    op,
    source: 'imm',
    width: 64,
    match: { src },
    uses: ['imm'],
    group: 'base32',
    cpu,
  });
}
specs.push({
  name: 'callx',
  mnemonic: 'callx',
  opcode: JmpOp.CALL | Source.X | OpClass.JMP,
  cls: 'JMP',
  kind: 'callx',
  op: 'callx',
  source: 'reg',
  width: 64,
  uses: ['dst'],
  group: 'callx',
  cpu: 'v1',
});
specs.push({
  name: 'exit',
  mnemonic: 'exit',
  opcode: JmpOp.EXIT | OpClass.JMP,
  cls: 'JMP',
  kind: 'exit',
  op: 'exit',
  source: 'none',
  width: 64,
  uses: [],
  group: 'base32',
  cpu: 'v1',
});

// --- Loads and stores ----------------------------------------------------------------------
const sizes = [
  ['b', Size.B, 1],
  ['h', Size.H, 2],
  ['w', Size.W, 4],
  ['dw', Size.DW, 8],
] as const;
for (const [suffix, sizeBits, size] of sizes) {
  const group = size === 8 ? 'base64' : 'base32';
  specs.push({
    name: `ldx${suffix}`,
    mnemonic: `ldx${suffix}`,
    opcode: Mode.MEM | sizeBits | OpClass.LDX,
    cls: 'LDX',
    kind: 'load',
    op: 'ldx',
    source: 'reg',
    width: 64,
    size,
    uses: ['dst', 'src', 'off'],
    group,
    cpu: 'v1',
  });
  if (size !== 8) {
    specs.push({
      name: `ldxs${suffix}`,
      mnemonic: `ldxs${suffix}`,
      opcode: Mode.MEMSX | sizeBits | OpClass.LDX,
      cls: 'LDX',
      kind: 'load',
      op: 'ldxs',
      source: 'reg',
      width: 64,
      size,
      uses: ['dst', 'src', 'off'],
      group,
      cpu: 'v4',
    });
  }
  specs.push({
    name: `st${suffix}`,
    mnemonic: `st${suffix}`,
    opcode: Mode.MEM | sizeBits | OpClass.ST,
    cls: 'ST',
    kind: 'store',
    op: 'st',
    source: 'imm',
    width: 64,
    size,
    uses: ['dst', 'off', 'imm'],
    group,
    cpu: 'v1',
  });
  specs.push({
    name: `stx${suffix}`,
    mnemonic: `stx${suffix}`,
    opcode: Mode.MEM | sizeBits | OpClass.STX,
    cls: 'STX',
    kind: 'store',
    op: 'stx',
    source: 'reg',
    width: 64,
    size,
    uses: ['dst', 'src', 'off'],
    group,
    cpu: 'v1',
  });
}
const atomics: ReadonlyArray<readonly [RowOp, number]> = [
  ['atomic_add', AtomicOp.ADD],
  ['atomic_or', AtomicOp.OR],
  ['atomic_and', AtomicOp.AND],
  ['atomic_xor', AtomicOp.XOR],
  ['atomic_fetch_add', AtomicOp.ADD | AtomicOp.FETCH],
  ['atomic_fetch_or', AtomicOp.OR | AtomicOp.FETCH],
  ['atomic_fetch_and', AtomicOp.AND | AtomicOp.FETCH],
  ['atomic_fetch_xor', AtomicOp.XOR | AtomicOp.FETCH],
  ['atomic_xchg', AtomicOp.XCHG],
  ['atomic_cmpxchg', AtomicOp.CMPXCHG],
];
for (const width of [32, 64] as const) {
  for (const [op, imm] of atomics) {
    specs.push({
      name: `${op}${width}`,
      mnemonic: `${op}${width}`,
      opcode: Mode.ATOMIC | (width === 32 ? Size.W : Size.DW) | OpClass.STX,
      cls: 'STX',
      kind: 'atomic',
      op,
      source: 'reg',
      width,
      size: width === 32 ? 4 : 8,
      match: { imm },
      uses: ['dst', 'src', 'off'],
      group: width === 32 ? 'atomic32' : 'atomic64',
      cpu: 'v3',
    });
  }
}
for (const [suffix, src] of [
  ['', Lddw.IMM64],
  ['_map_fd', Lddw.MAP_FD],
  ['_map_value_fd', Lddw.MAP_VALUE_FD],
  ['_var_addr', Lddw.VARIABLE_ADDR],
  ['_code_addr', Lddw.CODE_ADDR],
  ['_map_idx', Lddw.MAP_IDX],
  ['_map_value_idx', Lddw.MAP_VALUE_IDX],
] as const) {
  specs.push({
    name: `lddw${suffix}`,
    mnemonic: 'lddw',
    opcode: Mode.IMM | Size.DW | OpClass.LD,
    cls: 'LD',
    kind: 'lddw',
    op: 'lddw',
    source: 'imm',
    width: 64,
    match: { src },
    uses: ['dst', 'imm'],
    group: 'base64',
    cpu: 'v1',
    slots: 2,
  });
}
// Legacy packet loads: LD_ABS and LD_IND read the packet from the context in r6 into r0.
for (const [mode, op] of [
  [Mode.ABS, 'ldabs'],
  [Mode.IND, 'ldind'],
] as const) {
  for (const [suffix, sizeBits, size] of sizes) {
    if (size === 8) continue;
    specs.push({
      name: `${op}${suffix}`,
      mnemonic: `${op}${suffix}`,
      opcode: mode | sizeBits | OpClass.LD,
      cls: 'LD',
      kind: 'packet',
      op,
      source: op === 'ldabs' ? 'imm' : 'reg',
      width: 32,
      size,
      uses: op === 'ldabs' ? ['imm'] : ['src', 'imm'],
      group: 'packet',
      cpu: 'v1',
    });
  }
}

/** Every instruction form, frozen. */
export const OPCODE_TABLE: readonly OpcodeRow[] = Object.freeze(
  specs.map((s, id) =>
    Object.freeze({
      id,
      name: s.name,
      mnemonic: s.mnemonic,
      opcode: s.opcode,
      cls: s.cls,
      kind: s.kind,
      op: s.op,
      source: s.source,
      width: s.width,
      size: s.size ?? 0,
      bits: s.bits ?? 0,
      match: Object.freeze({ ...(s.match ?? {}) }),
      uses: Object.freeze([...(s.uses ?? [])]),
      group: s.group,
      cpu: s.cpu,
      slots: s.slots ?? 1,
    }),
  ),
);
