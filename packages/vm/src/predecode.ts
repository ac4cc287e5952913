/**
 * Program bytes to the interpreter's code stream: 8 `Int32Array` words per instruction slot,
 *
 *     0 interpreter opcode   1 dst*2   2 src*2   3 imm (low half)   4 imm high half (sign-extended,
 *     or lddw's upper 32 bits)   5 offset, or the absolute target slot of a jump or local call
 *     6 auxiliary (access size of packet loads, a bad register, an lddw subtype)   7 opcode byte
 *
 * plus one sentinel slot past the end. Nothing here throws: slots that cannot run become special
 * codes that raise their typed error only if they are reached, so a program that a custom
 * verifier let through fails at run time with a `VmError`, never a crash.
 *
 * A last pass fuses common pairs of instructions (`FUSED_PAIRS` in interp-opcodes.ts): the first
 * slot of the pair gets the fused opcode, its fields and the second slot stay as they are.
 */
import { FRAME_POINTER, INSN_SIZE, lookupRow, readSlot } from '@ebpf/isa';
import { fusedOpcodeOf, interpOpcodeOf, SpecialOp } from './interp-opcodes.js';

/** Words per slot in the code stream. */
export const CODE_STRIDE = 8;

/** Options of {@link predecode}. */
export interface PredecodeOptions {
  /** Fuse common instruction pairs into one opcode (default true; false for tests). */
  readonly fuse?: boolean;
}

/**
 * Pre-decodes `bytes` (its length a multiple of 8; trailing bytes are ignored).
 *
 * @example
 * const code = predecode(program);
 * code[0]; // the interpreter opcode of the first instruction
 */
export function predecode(bytes: Uint8Array, options: PredecodeOptions = {}): Int32Array {
  const slots = Math.floor(bytes.byteLength / INSN_SIZE);
  const code = new Int32Array((slots + 1) * CODE_STRIDE);
  code[slots * CODE_STRIDE] = SpecialOp.FELL_OFF;
  for (let pc = 0; pc < slots; pc++) {
    const at = pc * CODE_STRIDE;
    if (code[at] === SpecialOp.LDDW_TAIL) continue;
    const slot = readSlot(bytes, pc);
    code[at + 7] = slot.opcode;
    const row = lookupRow(slot.opcode, slot.src, slot.off, slot.imm);
    const op = row && interpOpcodeOf(row);
    if (row === undefined || op === undefined) {
      code[at] = SpecialOp.UNKNOWN;
      continue;
    }
    code[at] = op;
    const badRegister =
      (row.uses.includes('dst') && slot.dst > FRAME_POINTER) ||
      (row.uses.includes('src') && slot.src > FRAME_POINTER);
    if (badRegister) {
      code[at] = SpecialOp.BAD_REGISTER;
      code[at + 6] = row.uses.includes('dst') && slot.dst > FRAME_POINTER ? slot.dst : slot.src;
      continue;
    }
    code[at + 1] = row.uses.includes('dst') ? slot.dst * 2 : 0;
    code[at + 2] = row.uses.includes('src') ? slot.src * 2 : 0;
    code[at + 3] = slot.imm;
    code[at + 4] = slot.imm >> 31;
    code[at + 5] = slot.off;
    code[at + 6] = row.size;
    switch (row.kind) {
      case 'lddw': {
        if (pc + 1 >= slots) {
          code[at] = SpecialOp.UNKNOWN;
          continue;
        }
        code[at + 4] = readSlot(bytes, pc + 1).imm;
        code[at + 6] = slot.src;
        code[(pc + 1) * CODE_STRIDE] = SpecialOp.LDDW_TAIL;
        break;
      }
      case 'ja':
      case 'jcond':
      case 'call': {
        if (row.kind === 'call' && row.op !== 'call_local') break;
        const rel =
          row.op === 'call_local' || (row.kind === 'ja' && row.width === 32) ? slot.imm : slot.off;
        const target = pc + 1 + rel;
        code[at + 5] = target;
        if (target < 0 || target > slots) code[at] = SpecialOp.BAD_TARGET;
        break;
      }
    }
  }
  if (options.fuse !== false) {
    for (let pc = 0; pc + 1 < slots; pc++) {
      const at = pc * CODE_STRIDE;
      const fused = fusedOpcodeOf(code[at], code[at + CODE_STRIDE]);
      if (fused !== undefined) code[at] = fused;
    }
  }
  return code;
}
