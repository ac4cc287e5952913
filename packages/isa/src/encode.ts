/**
 * Instructions to bytes. The opposite of `decode`: `encode(decode(b))` gives back `b` for every
 * program `decode` accepts.
 */
import { INSN_SIZE } from './constants.js';
import type { Insn } from './instruction.js';
import { DecodeError, ISA_FIELD_RANGE } from './isa-errors.js';
import { lookupRow, ROWS_BY_OPCODE } from './lookup.js';

function checkRange(field: string, value: number, min: number, max: number, pc: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new DecodeError(ISA_FIELD_RANGE, { field, value }, pc);
  }
}

/** Slots an instruction takes: 2 for `lddw`, else 1. */
export function insnSlots(insn: Insn): 1 | 2 {
  return ROWS_BY_OPCODE[insn.opcode & 0xff][0]?.slots === 2 ? 2 : 1;
}

/**
 * Writes one instruction at slot `pc` of `out` and returns the number of slots written.
 * `imm` may be given signed (-2^31..2^31-1) or as its raw unsigned 32 bits.
 *
 * @throws DecodeError (ISA_FIELD_RANGE) when a field does not fit, or lddw lacks `imm64`.
 */
export function encodeInsn(insn: Insn, out: Uint8Array, pc: number): 1 | 2 {
  checkRange('opcode', insn.opcode, 0, 0xff, pc);
  checkRange('dst', insn.dst, 0, 15, pc);
  checkRange('src', insn.src, 0, 15, pc);
  checkRange('off', insn.off, -0x8000, 0x7fff, pc);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const at = pc * INSN_SIZE;
  view.setUint8(at, insn.opcode);
  view.setUint8(at + 1, (insn.src << 4) | insn.dst);
  view.setInt16(at + 2, insn.off, true);
  if (insnSlots(insn) === 2) {
    const imm64 = insn.imm64;
    if (typeof imm64 !== 'bigint' || imm64 < -(1n << 63n) || imm64 >= 1n << 64n) {
      throw new DecodeError(ISA_FIELD_RANGE, { field: 'imm64', value: imm64 }, pc);
    }
    const raw = BigInt.asUintN(64, imm64);
    view.setUint32(at + 4, Number(raw & 0xffffffffn), true);
    view.setBigUint64(at + 8, 0n, true);
    view.setUint32(at + 12, Number(raw >> 32n), true);
    return 2;
  }
  checkRange('imm', insn.imm, -0x8000_0000, 0xffff_ffff, pc);
  view.setUint32(at + 4, insn.imm >>> 0, true);
  return 1;
}

/** Slots a list of instructions takes. */
export function programSlots(insns: readonly Insn[]): number {
  let n = 0;
  for (const insn of insns) n += insnSlots(insn);
  return n;
}

/**
 * Encodes a whole program.
 *
 * @example
 * encode([{ opcode: 0xb7, dst: 0, src: 0, off: 0, imm: 1 }, { opcode: 0x95, dst: 0, src: 0, off: 0, imm: 0 }]);
 */
export function encode(insns: readonly Insn[]): Uint8Array {
  const out = new Uint8Array(programSlots(insns) * INSN_SIZE);
  let pc = 0;
  for (const insn of insns) pc += encodeInsn(insn, out, pc);
  return out;
}

/** Whether an instruction's fields name a form of the table (ignoring reserved fields). */
export function isKnownInsn(insn: Insn): boolean {
  return lookupRow(insn.opcode, insn.src, insn.off, insn.imm) !== undefined;
}
