/**
 * Bytes to instructions. `decode` reads whole programs, handling `lddw`'s two slots; `readSlot`
 * and `decodeAt` read one instruction for tools that must go on past a bad one (the
 * disassembler). Nothing here throws anything but a {@link DecodeError}.
 */
import { INSN_SIZE, MAX_PROGRAM_INSNS } from './constants.js';
import type { DecodedInsn, RawSlot } from './instruction.js';
import {
  DecodeError,
  ISA_LDDW_SECOND_SLOT,
  ISA_LDDW_TRUNCATED,
  ISA_PROGRAM_LENGTH,
  ISA_PROGRAM_TOO_LONG,
  ISA_UNKNOWN_OPCODE,
  ISA_UNKNOWN_VARIANT,
} from './isa-errors.js';
import { lookupRow, ROWS_BY_OPCODE } from './lookup.js';
import { checkReservedFields } from './validate.js';

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The number of whole slots in `bytes`; throws when the length is not a multiple of 8. */
export function slotCount(bytes: Uint8Array): number {
  if (bytes.byteLength % INSN_SIZE !== 0) {
    throw new DecodeError(ISA_PROGRAM_LENGTH, { byteLength: bytes.byteLength });
  }
  return bytes.byteLength / INSN_SIZE;
}

/** The raw fields of slot `index` (no checks beyond the bounds of `bytes`). */
export function readSlot(bytes: Uint8Array, index: number): RawSlot {
  const view = viewOf(bytes);
  const at = index * INSN_SIZE;
  const regs = view.getUint8(at + 1);
  return {
    opcode: view.getUint8(at),
    dst: regs & 0x0f,
    src: regs >> 4,
    off: view.getInt16(at + 2, true),
    imm: view.getInt32(at + 4, true),
  };
}

export interface DecodeOptions {
  /** Also reject non-zero reserved fields (what the kernel and a strict loader reject). */
  readonly strict?: boolean;
}

/**
 * Decodes the instruction whose first slot is `pc`.
 *
 * @throws DecodeError on an unknown opcode or form, a truncated or malformed `lddw`, and (with
 * `strict`) a non-zero reserved field.
 */
export function decodeAt(bytes: Uint8Array, pc: number, options: DecodeOptions = {}): DecodedInsn {
  const slot = readSlot(bytes, pc);
  const row = lookupRow(slot.opcode, slot.src, slot.off, slot.imm);
  if (!row) {
    const candidates = ROWS_BY_OPCODE[slot.opcode];
    if (candidates.length === 0) {
      throw new DecodeError(ISA_UNKNOWN_OPCODE, { opcode: slot.opcode }, pc);
    }
    const field = (['src', 'off', 'imm'] as const).find(
      (f) => candidates[0].match[f] !== undefined,
    )!;
    throw new DecodeError(
      ISA_UNKNOWN_VARIANT,
      {
        opcode: slot.opcode,
        field,
        value: slot[field],
        expected: candidates.map((r) => r.match[field]!),
      },
      pc,
    );
  }
  let insn: DecodedInsn = { ...slot, row, pc };
  if (row.slots === 2) {
    if ((pc + 1) * INSN_SIZE >= bytes.byteLength) {
      throw new DecodeError(ISA_LDDW_TRUNCATED, { slots: bytes.byteLength / INSN_SIZE }, pc);
    }
    const next = readSlot(bytes, pc + 1);
    if (next.opcode !== 0 || next.dst !== 0 || next.src !== 0 || next.off !== 0) {
      throw new DecodeError(
        ISA_LDDW_SECOND_SLOT,
        { opcode: next.opcode, dst: next.dst, src: next.src, off: next.off },
        pc + 1,
      );
    }
    const imm64 = (BigInt(next.imm >>> 0) << 32n) | BigInt(slot.imm >>> 0);
    insn = { ...insn, imm64 };
  }
  if (options.strict) {
    const problem = checkReservedFields(insn);
    if (problem) throw problem;
  }
  return insn;
}

/**
 * Decodes a whole program.
 *
 * @example
 * const insns = decode(new Uint8Array([0xb7, 0, 0, 0, 1, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]));
 * insns.map((i) => i.row.name); // ['mov64_imm', 'exit']
 */
export function decode(bytes: Uint8Array, options: DecodeOptions = {}): DecodedInsn[] {
  const slots = slotCount(bytes);
  if (slots > MAX_PROGRAM_INSNS) {
    throw new DecodeError(ISA_PROGRAM_TOO_LONG, { slots, max: MAX_PROGRAM_INSNS });
  }
  const out: DecodedInsn[] = [];
  for (let pc = 0; pc < slots; ) {
    const insn = decodeAt(bytes, pc, options);
    out.push(insn);
    pc += insn.row.slots;
  }
  return out;
}
