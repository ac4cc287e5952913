/**
 * The interpreter's own opcode numbers: one per instruction form of the ISA table (keyed by the
 * row's `name`), plus the special codes the pre-decoder emits for slots that cannot run. They are
 * the `case` labels of the interpreter's `switch`, which must be number literals for V8 to
 * dispatch through a jump table; test/interp-opcodes.test.ts checks that every row of
 * `OPCODE_TABLE` has a number here and that the `switch` agrees.
 */
import type { OpcodeRow } from '@ebpf/isa';

/** Interpreter opcode of each ISA form, by row name. All unresolved `lddw` subtypes share one. */
export const INTERP_OPCODES: Readonly<Record<string, number>> = Object.freeze({
  add64_imm: 0,
  add64_reg: 1,
  sub64_imm: 2,
  sub64_reg: 3,
  mul64_imm: 4,
  mul64_reg: 5,
  div64_imm: 6,
  div64_reg: 7,
  sdiv64_imm: 8,
  sdiv64_reg: 9,
  or64_imm: 10,
  or64_reg: 11,
  and64_imm: 12,
  and64_reg: 13,
  lsh64_imm: 14,
  lsh64_reg: 15,
  rsh64_imm: 16,
  rsh64_reg: 17,
  mod64_imm: 18,
  mod64_reg: 19,
  smod64_imm: 20,
  smod64_reg: 21,
  xor64_imm: 22,
  xor64_reg: 23,
  mov64_imm: 24,
  mov64_reg: 25,
  arsh64_imm: 26,
  arsh64_reg: 27,
  neg64: 28,
  add32_imm: 29,
  add32_reg: 30,
  sub32_imm: 31,
  sub32_reg: 32,
  mul32_imm: 33,
  mul32_reg: 34,
  div32_imm: 35,
  div32_reg: 36,
  sdiv32_imm: 37,
  sdiv32_reg: 38,
  or32_imm: 39,
  or32_reg: 40,
  and32_imm: 41,
  and32_reg: 42,
  lsh32_imm: 43,
  lsh32_reg: 44,
  rsh32_imm: 45,
  rsh32_reg: 46,
  mod32_imm: 47,
  mod32_reg: 48,
  smod32_imm: 49,
  smod32_reg: 50,
  xor32_imm: 51,
  xor32_reg: 52,
  mov32_imm: 53,
  mov32_reg: 54,
  arsh32_imm: 55,
  arsh32_reg: 56,
  neg32: 57,
  movsx832: 58,
  movsx1632: 59,
  movsx864: 60,
  movsx1664: 61,
  movsx3264: 62,
  le16: 63,
  le32: 64,
  le64: 65,
  be16: 66,
  be32: 67,
  be64: 68,
  bswap16: 69,
  bswap32: 70,
  bswap64: 71,
  ja: 72,
  ja32: 73,
  jeq_imm: 74,
  jeq_reg: 75,
  jgt_imm: 76,
  jgt_reg: 77,
  jge_imm: 78,
  jge_reg: 79,
  jset_imm: 80,
  jset_reg: 81,
  jne_imm: 82,
  jne_reg: 83,
  jsgt_imm: 84,
  jsgt_reg: 85,
  jsge_imm: 86,
  jsge_reg: 87,
  jlt_imm: 88,
  jlt_reg: 89,
  jle_imm: 90,
  jle_reg: 91,
  jslt_imm: 92,
  jslt_reg: 93,
  jsle_imm: 94,
  jsle_reg: 95,
  jeq32_imm: 96,
  jeq32_reg: 97,
  jgt32_imm: 98,
  jgt32_reg: 99,
  jge32_imm: 100,
  jge32_reg: 101,
  jset32_imm: 102,
  jset32_reg: 103,
  jne32_imm: 104,
  jne32_reg: 105,
  jsgt32_imm: 106,
  jsgt32_reg: 107,
  jsge32_imm: 108,
  jsge32_reg: 109,
  jlt32_imm: 110,
  jlt32_reg: 111,
  jle32_imm: 112,
  jle32_reg: 113,
  jslt32_imm: 114,
  jslt32_reg: 115,
  jsle32_imm: 116,
  jsle32_reg: 117,
  call: 118,
  call_local: 119,
  call_btf: 120,
  callx: 121,
  exit: 122,
  ldxb: 123,
  ldxh: 124,
  ldxw: 125,
  ldxdw: 126,
  ldxsb: 127,
  ldxsh: 128,
  ldxsw: 129,
  stb: 130,
  sth: 131,
  stw: 132,
  stdw: 133,
  stxb: 134,
  stxh: 135,
  stxw: 136,
  stxdw: 137,
  atomic_add32: 138,
  atomic_or32: 139,
  atomic_and32: 140,
  atomic_xor32: 141,
  atomic_fetch_add32: 142,
  atomic_fetch_or32: 143,
  atomic_fetch_and32: 144,
  atomic_fetch_xor32: 145,
  atomic_xchg32: 146,
  atomic_cmpxchg32: 147,
  atomic_add64: 148,
  atomic_or64: 149,
  atomic_and64: 150,
  atomic_xor64: 151,
  atomic_fetch_add64: 152,
  atomic_fetch_or64: 153,
  atomic_fetch_and64: 154,
  atomic_fetch_xor64: 155,
  atomic_xchg64: 156,
  atomic_cmpxchg64: 157,
  lddw: 158,
  lddw_map_fd: 159,
  lddw_map_value_fd: 159,
  lddw_var_addr: 159,
  lddw_code_addr: 159,
  lddw_map_idx: 159,
  lddw_map_value_idx: 159,
  ldabsb: 160,
  ldabsh: 161,
  ldabsw: 162,
  ldindb: 163,
  ldindh: 164,
  ldindw: 165,
});

/** Pre-decoder codes for slots that cannot run; each raises its own typed error when reached. */
export const SpecialOp = Object.freeze({
  /** An opcode byte or form no row describes. */
  UNKNOWN: 166,
  /** A register field beyond r10. */
  BAD_REGISTER: 167,
  /** The second slot of an `lddw`. */
  LDDW_TAIL: 168,
  /** The slot just past the program's end. */
  FELL_OFF: 169,
  /** A jump or local call whose target is outside the program. */
  BAD_TARGET: 170,
} as const);

/** The interpreter opcode of an ISA row, or `undefined` when the interpreter lacks one (a bug). */
export function interpOpcodeOf(row: OpcodeRow): number | undefined {
  return INTERP_OPCODES[row.name];
}

/**
 * Common two-instruction sequences (by row name) that the pre-decoder fuses into one opcode,
 * saving a dispatch: a copy then an operation on the copy (address and shift arithmetic), a
 * shift then an or (joining halves, rotating), a loop's step then its conditional jump, and a
 * load then a sum or a test of what it loaded. The fused opcode runs both halves in order with
 * the second slot's own fields, so any two instructions may be fused; the second slot keeps its
 * own opcode for jumps that land on it. Pair `i` has interpreter opcode {@link FUSED_BASE} + `i`.
 */
export const FUSED_PAIRS: readonly (readonly [first: string, second: string])[] = Object.freeze([
  ['mov64_reg', 'add64_reg'],
  ['mov64_reg', 'add64_imm'],
  ['mov64_reg', 'lsh64_imm'],
  ['mov64_reg', 'rsh64_imm'],
  ['lsh64_imm', 'or64_reg'],
  ['add64_imm', 'jlt_reg'],
  ['add64_reg', 'jlt_reg'],
  ['add64_imm', 'jlt_imm'],
  ['add64_imm', 'jne_reg'],
  ['add64_imm', 'jne_imm'],
  ['sub64_imm', 'jne_imm'],
  ['ldxb', 'add64_reg'],
  ['ldxw', 'add64_reg'],
  ['ldxdw', 'add64_reg'],
  ['ldxb', 'jeq_imm'],
  ['ldxb', 'jne_imm'],
] as const);

/** Interpreter opcode of the first fused pair (right after the special codes). */
export const FUSED_BASE = 171;

/**
 * The fused opcode for interpreter opcodes `first` then `second`, or `undefined`.
 *
 * @example
 * fusedOpcodeOf(INTERP_OPCODES.mov64_reg, INTERP_OPCODES.add64_reg); // FUSED_BASE
 */
export function fusedOpcodeOf(first: number, second: number): number | undefined {
  return FUSED_BY_PAIR.get(first * 256 + second);
}

const FUSED_BY_PAIR: ReadonlyMap<number, number> = new Map(
  FUSED_PAIRS.map(([a, b], i) => [INTERP_OPCODES[a] * 256 + INTERP_OPCODES[b], FUSED_BASE + i]),
);
