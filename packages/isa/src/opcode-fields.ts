/**
 * The bit fields of an opcode byte and of an instruction slot (RFC 9669, section 3).
 *
 *     slot (little-endian): opcode:8 | dst:4 (low nibble) src:4 (high nibble) | offset:16 | imm:32
 *     ALU/JMP opcode:       operation:4 | source:1 | class:3
 *     load/store opcode:    mode:3 | size:2 | class:3
 */

/** Instruction classes, the opcode's low three bits. */
export const OpClass = Object.freeze({
  LD: 0x00,
  LDX: 0x01,
  ST: 0x02,
  STX: 0x03,
  ALU: 0x04,
  JMP: 0x05,
  JMP32: 0x06,
  ALU64: 0x07,
} as const);
export type OpClassName = keyof typeof OpClass;

/** The source bit of ALU and JMP opcodes: immediate (K) or register (X). */
export const Source = Object.freeze({ K: 0x00, X: 0x08 } as const);

/** ALU operation codes, the opcode's high nibble. */
export const AluOp = Object.freeze({
  ADD: 0x00,
  SUB: 0x10,
  MUL: 0x20,
  DIV: 0x30,
  OR: 0x40,
  AND: 0x50,
  LSH: 0x60,
  RSH: 0x70,
  NEG: 0x80,
  MOD: 0x90,
  XOR: 0xa0,
  MOV: 0xb0,
  ARSH: 0xc0,
  END: 0xd0,
} as const);

/** Jump operation codes, the opcode's high nibble. */
export const JmpOp = Object.freeze({
  JA: 0x00,
  JEQ: 0x10,
  JGT: 0x20,
  JGE: 0x30,
  JSET: 0x40,
  JNE: 0x50,
  JSGT: 0x60,
  JSGE: 0x70,
  CALL: 0x80,
  EXIT: 0x90,
  JLT: 0xa0,
  JLE: 0xb0,
  JSLT: 0xc0,
  JSLE: 0xd0,
} as const);

/** Load/store modes, the opcode's high three bits. */
export const Mode = Object.freeze({
  IMM: 0x00,
  ABS: 0x20,
  IND: 0x40,
  MEM: 0x60,
  MEMSX: 0x80,
  ATOMIC: 0xc0,
} as const);

/** Load/store sizes, bits 3-4 of the opcode. */
export const Size = Object.freeze({ W: 0x00, H: 0x08, B: 0x10, DW: 0x18 } as const);

/** Bytes accessed by each size code. */
export const SIZE_BYTES = Object.freeze({
  [Size.W]: 4,
  [Size.H]: 2,
  [Size.B]: 1,
  [Size.DW]: 8,
} as const);

/** Atomic operations, held in the immediate of an atomic instruction. */
export const AtomicOp = Object.freeze({
  ADD: 0x00,
  OR: 0x40,
  AND: 0x50,
  XOR: 0xa0,
  /** Modifier: also load the old value into the source register. */
  FETCH: 0x01,
  XCHG: 0xe0 | 0x01,
  CMPXCHG: 0xf0 | 0x01,
} as const);

/** `lddw` source-register subtypes (RFC 9669, section 5.4). */
export const Lddw = Object.freeze({
  IMM64: 0,
  MAP_FD: 1,
  MAP_VALUE_FD: 2,
  VARIABLE_ADDR: 3,
  CODE_ADDR: 4,
  MAP_IDX: 5,
  MAP_VALUE_IDX: 6,
} as const);

/** `call` source-register subtypes. */
export const CallSrc = Object.freeze({ HELPER: 0, LOCAL: 1, HELPER_BTF: 2 } as const);

/** The class bits of an opcode. */
export function opClass(opcode: number): number {
  return opcode & 0x07;
}
/** The operation nibble of an ALU or JMP opcode. */
export function opCode(opcode: number): number {
  return opcode & 0xf0;
}
/** The source bit of an ALU or JMP opcode. */
export function opSource(opcode: number): number {
  return opcode & 0x08;
}
/** The mode bits of a load/store opcode. */
export function opMode(opcode: number): number {
  return opcode & 0xe0;
}
/** The size bits of a load/store opcode. */
export function opSize(opcode: number): number {
  return opcode & 0x18;
}
/** Whether the class is LD, LDX, ST or STX. */
export function isLoadStoreClass(opcode: number): boolean {
  return (opcode & 0x07) < OpClass.ALU;
}
